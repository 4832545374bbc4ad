"""Small helpers the per-source normalizers share: timestamps, titles, names, the language of a document."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from teamlens.documents import Part
from teamlens.language import Language, word_weight

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TITLE_CHARS = 120


def parse_time(value: str | None, default: datetime = EPOCH) -> datetime:
    """An ISO 8601 timestamp as the APIs write it ("...Z", with or without fractions), in UTC."""
    if not value:
        return default
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def from_slack_ts(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)


def minute(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def first_line(text: str, limit: int = TITLE_CHARS) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def names(people: Iterable[dict[str, Any] | None]) -> list[str]:
    """Display names of GitLab users or Backlog users, in order, without repeats."""
    out: list[str] = []
    for p in people:
        name = (p or {}).get("name") or (p or {}).get("username") or (p or {}).get("userId") or ""
        if name and name not in out:
            out.append(name)
    return out


def dominant_language(parts: Iterable[Part]) -> Language:
    """The language most of the parts' words are in (ties: ja, vi, en); 'en' when none is known."""
    weight: defaultdict[str, float] = defaultdict(float)
    for part in parts:
        if part.language:
            weight[part.language] += max(1.0, word_weight(part.text))
    if not weight:
        return "en"
    best = max(weight.values())
    return next(lang for lang in ("ja", "vi", "en") if weight.get(lang) == best)


def meta_line(fields: Iterable[tuple[str, Any]]) -> str:
    """'Status: Open · Assignee: An' from (label, value) pairs, leaving out empty values."""
    shown = []
    for label, raw in fields:
        value = ", ".join(str(v) for v in raw if v) if isinstance(raw, (list, tuple)) else raw
        if value not in (None, "", False):
            shown.append(f"{label}: {value}")
    return " · ".join(shown)
