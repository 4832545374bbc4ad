"""The one normalized document model every source maps into (and the index stores)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

SourceName = Literal["gitlab", "slack", "backlog"]
Kind = Literal[
    "slack_thread", "slack_day",
    "merge_request", "mr_diff", "gitlab_issue", "code",
    "backlog_issue",
]


class Part(BaseModel):
    """A unit of a document that chunking keeps whole when it can, and cuts between otherwise: a Slack
    message, a comment or discussion note, an MR description, a diff hunk, a code section."""
    text: str
    role: str = Field(default="", description="message, description, body, note, comment, hunk, section, ...")
    url: str = Field(default="", description="a link to this unit itself (message permalink, note anchor)")
    author: str = ""
    at: datetime | None = Field(default=None, description="when the unit was written")
    language: str = ""
    line_start: int | None = Field(default=None, description="first line in the (new) file: code, diff hunks")
    line_end: int | None = Field(default=None, description="last line in the (new) file: code, diff hunks")


class Document(BaseModel):
    id: str = Field(description="deterministic <source>:<short kind>:<natural key>, e.g. gitlab:mr:11:4")
    source: SourceName
    kind: Kind
    title: str
    text: str
    url: str
    author: str = ""
    created_at: datetime
    updated_at: datetime
    language: str = ""
    parent_id: str | None = None
    project: str = ""
    channel: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    parts: list[Part] = Field(default_factory=list,
                              description="the units of `text` in order; chunking cuts between them")
