"""The agents behind long jobs (Slack summaries, merge-request reviews, reports), looked up by job kind."""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from teamlens.agents.errors import AgentError, NotFound, SourceDown

__all__ = ["AgentError", "NotFound", "Progress", "SourceDown", "run_agent"]

Progress = Callable[..., None]  # progress(stage, done=0, total=0)

# Imported lazily so a job only loads the agent it runs.
_AGENTS = {
    "summarize_slack": "teamlens.agents.summarize.agent",
    "review_mr": "teamlens.agents.review.agent",
    "report": "teamlens.agents.report.agent",
}


def run_agent(kind: str, args: dict[str, Any], *, progress: Progress) -> dict[str, Any]:
    if kind not in _AGENTS:
        raise AgentError(f"no agent for job kind {kind!r} (known: {', '.join(sorted(_AGENTS))})")
    return import_module(_AGENTS[kind]).run(args, progress=progress)
