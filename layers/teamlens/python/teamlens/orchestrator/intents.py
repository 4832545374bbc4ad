"""What the router produces: the intent and the arguments the chosen tool needs."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Intent = Literal["search", "summarize_slack", "review_mr", "report", "chitchat", "unknown"]
INTENTS: tuple[str, ...] = ("search", "summarize_slack", "review_mr", "report", "chitchat", "unknown")
ReportKind = Literal["weekly_project", "weekly_assignee", "overdue"]


class MRRef(BaseModel):
    project: str | None = Field(default=None, description="GitLab project path or name, e.g. kumo/booking-api")
    iid: int
    url: str | None = None


class DateRange(BaseModel):
    since: datetime | None = None
    until: datetime | None = Field(default=None, description="exclusive")


class RouteArgs(BaseModel):
    query: str | None = None
    channel: str | None = None
    thread: str | None = None
    date_range: DateRange | None = None
    mr: MRRef | None = None
    project: str | None = None
    report_kind: ReportKind | None = None


class Route(BaseModel):
    intent: Intent
    args: RouteArgs = RouteArgs()
    confidence: float = 1.0
    method: Literal["pattern", "examples", "llm", "history"] = "pattern"
