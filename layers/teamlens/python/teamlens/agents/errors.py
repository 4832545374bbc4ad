"""Failures an agent explains in words a user can act on; `status` is what the API answers when the same
check fails before a job starts (an unknown channel or MR is a 404 naming it)."""
from __future__ import annotations


class AgentError(RuntimeError):
    """A job failed for a reason the user should read (unknown channel or MR, source down, ...)."""

    status = 422


class NotFound(AgentError):
    status = 404


class SourceDown(AgentError):
    status = 503
