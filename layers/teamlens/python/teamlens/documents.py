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


class Document(BaseModel):
    id: str = Field(description="deterministic: <source>:<kind>:<natural key>")
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
