"""Search filters from the API (or the router) to ChromaDB `where` clauses: pure."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

SOURCES = ("gitlab", "slack", "backlog")


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown filter is a 422 naming it, not silently ignored

    source: Literal["gitlab", "slack", "backlog"] | None = None
    project: str | None = None
    channel: str | None = None
    since: datetime | date | None = None
    until: datetime | date | None = None
    author: str | None = None

    @field_validator("channel")
    @classmethod
    def _channel_name(cls, v: str | None) -> str | None:
        return v.strip().lstrip("#") or None if v else None

    def sources(self) -> list[str]:
        return [self.source] if self.source else list(SOURCES)


def _epoch(value: datetime | date, *, end: bool = False) -> int:
    """A date is a whole day (UTC): `until` a date includes that day."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end else time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def where_clause(filters: SearchFilters | None) -> dict[str, Any] | None:
    """The `where` for one collection query (the source is the collection, not a condition). Dates match on
    the time the chunk's content was written (its span), falling back to the document's update time."""
    if filters is None:
        return None
    conds: list[dict[str, Any]] = []
    for key in ("project", "channel", "author"):
        value = getattr(filters, key)
        if value:
            conds.append({key: value})
    if filters.since is not None:
        conds.append({"updated_ts": {"$gte": _epoch(filters.since)}})
    if filters.until is not None:
        conds.append({"created_ts": {"$lte": _epoch(filters.until, end=True)}})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}
