"""Intent analysis and planning: which tool a request needs, and its arguments."""
