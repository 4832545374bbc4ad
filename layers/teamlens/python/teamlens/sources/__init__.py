"""Connectors to the team's sources. Each uses the service's real client library (or httpx where none
exists), so the same code works against the real services and the local simulators."""

from __future__ import annotations


class SourceError(RuntimeError):
    """A source API failed in a way retries did not fix; the message is safe to log (no secrets)."""

    def __init__(self, source: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.status = status
