"""What each agent takes: the same models are the orchestrator's tool schemas, the API's request bodies
and the Step Functions input `args`, so a job started any of these ways is validated the same way."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from teamlens.orchestrator.references import mr_reference

Language = Literal["en", "ja", "vi"]
ReportKind = Literal["weekly_project", "weekly_assignee", "overdue"]
_RANGE = ("a time range: `since`/`until` (ISO 8601 dates or times) or `range` (\"7d\", \"2w\", \"24h\", "
          "\"last week\", \"this week\", \"yesterday\")")


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Period(_Args):
    since: datetime | None = Field(default=None, description="start of the range (inclusive)")
    until: datetime | None = Field(default=None, description="end of the range (exclusive)")
    range: str | None = Field(default=None, max_length=64, description=_RANGE)

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_only(cls, v: object) -> object:
        # pydantic would read a number as seconds since 1970: a request never means that.
        if isinstance(v, (int, float)):  # bool is an int too
            raise ValueError("must be an ISO 8601 date or time, e.g. 2026-11-20 or 2026-11-20T09:00:00+09:00")
        return v

    @model_validator(mode="after")
    def _ordered(self):
        if self.since and self.until and self.since >= self.until:
            raise ValueError("`since` must be before `until`")
        return self


class SummarizeSlackArgs(Period):
    channel: str | None = Field(default=None, max_length=200, description="Slack channel name (with or without #) or id")
    thread: str | None = Field(default=None, max_length=300,
                               description="a thread: its permalink, or `<channel id>:<ts>`")
    language: Language = "en"

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        return v.lstrip("#") or None if v else None

    @model_validator(mode="after")
    def _target(self):
        if not self.channel and not self.thread:
            raise ValueError("name a `channel` or a `thread` to summarize")
        return self


class ReviewMrArgs(_Args):
    project: str | None = Field(default=None, max_length=300, description="GitLab project path, e.g. kumo/booking-api")
    iid: int | None = Field(default=None, ge=1, description="the merge request's number within its project")
    url: str | None = Field(default=None, max_length=1000, description="the merge request's URL (instead of project + iid)")
    post: bool = Field(default=False, description="post the findings as inline MR discussions (default: dry run)")
    since_sha: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{7,64}$",
                                  description="review only what changed after this commit (the MR's previous head)")
    language: Language = "en"

    @model_validator(mode="after")
    def _reference(self):
        if self.url and not (self.project and self.iid):
            ref = mr_reference(self.url)
            if ref is None:
                raise ValueError(f"not a merge request URL: {self.url!r}")
            self.project, self.iid = ref.project, ref.iid
        if not self.project or not self.iid:
            raise ValueError("name the merge request: `project` and `iid`, or `url`")
        return self


class PostTargets(_Args):
    slack_channel: str | None = Field(default=None, max_length=200, description="Slack channel to post the report to")
    backlog_project: str | None = Field(default=None, max_length=50,
                                       pattern=r"^[A-Z][A-Z0-9_]*$", description="Backlog project key to file the report in")

    @field_validator("slack_channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        return v.lstrip("#") or None if v else None


class ReportArgs(Period):
    report_kind: ReportKind = "weekly_project"
    project: str | None = Field(default=None, max_length=300,
                                description="limit to one project: a Backlog key (BOOK) or a GitLab path")
    language: Language = "en"
    post_to: PostTargets | None = Field(default=None, description="where a confirmed report is posted")


def is_channel_id(value: str) -> bool:
    return bool(re.fullmatch(r"[CGD][A-Z0-9]{6,}", value))
