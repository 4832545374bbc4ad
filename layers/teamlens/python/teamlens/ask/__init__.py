"""Question answering: the /ask flow (route, retrieve, answer with citations, remember the turn)."""
