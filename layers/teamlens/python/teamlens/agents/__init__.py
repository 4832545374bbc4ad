"""The agents behind long jobs (Slack summaries, merge-request reviews, reports), looked up by job kind."""
from __future__ import annotations

from typing import Any, Callable

Progress = Callable[..., None]  # progress(stage, done=0, total=0)


class AgentError(RuntimeError):
    """A job failed for a reason the user should read (unknown channel or MR, source down, ...)."""


def run_agent(kind: str, args: dict[str, Any], *, progress: Progress) -> dict[str, Any]:
    agents = _registry()
    if kind not in agents:
        raise AgentError(f"no agent for job kind {kind!r} in this deployment (known: {', '.join(sorted(agents)) or 'none'})")
    return agents[kind](args, progress=progress)


def _registry() -> dict[str, Callable[..., dict[str, Any]]]:
    # Filled as agents land; imported lazily so a job only loads the agent it runs.
    return {}
