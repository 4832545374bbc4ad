"""The orchestrator's tools as LangChain tools with typed arguments: the router picks one, the orchestrator
invokes it with the extracted arguments (validated by the tool's schema), and a model-driven agent could
bind the same tools. Long work (summaries, reviews, reports) does not run here: its tool starts a job."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from teamlens.agents.args import ReportArgs, ReviewMrArgs, SummarizeSlackArgs
from teamlens.jobs import Jobs


class SearchArgs(BaseModel):
    query: str = Field(description="what to look for, in the user's words")
    k: int = Field(default=5, ge=1, le=50)
    source: Literal["gitlab", "slack", "backlog"] | None = None
    project: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    author: str | None = None


JOB_TOOLS: dict[str, tuple[type[BaseModel], str]] = {
    "summarize_slack": (SummarizeSlackArgs, ("Summarize a Slack channel or thread over a time range: decisions, "
                                             "action items, open questions, with permalinks.")),
    "review_mr": (ReviewMrArgs, "Review a GitLab merge request: findings per file and line."),
    "report": (ReportArgs, ("Write a status report (weekly per project or assignee, overdue items) from Backlog "
                            "and GitLab numbers.")),
}


def search_tool(search: Callable[[SearchArgs], Any]) -> BaseTool:
    return StructuredTool.from_function(
        func=lambda **kw: search(SearchArgs(**kw)), name="search", args_schema=SearchArgs,
        description="Search the team's indexed GitLab, Slack and Backlog data; returns ranked passages.")


def job_tool(kind: str, jobs: Jobs, conversation_id: Callable[[], str | None] = lambda: None,
             notify: dict[str, Any] | None = None) -> BaseTool:
    schema, description = JOB_TOOLS[kind]

    def start(**kw: Any):
        args = schema(**kw).model_dump(mode="json", exclude_none=True)
        return jobs.start(kind, args, conversation_id=conversation_id(), notify=notify)  # type: ignore[arg-type]

    return StructuredTool.from_function(func=start, name=kind, args_schema=schema, description=description)
