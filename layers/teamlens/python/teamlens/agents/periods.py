"""The time range a job covers, from explicit bounds or a relative phrase, in UTC with an exclusive end."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from teamlens.agents.args import Period
from teamlens.orchestrator.dates import DEFAULT_TZ, parse_date_range


class PeriodError(ValueError):
    pass


_HOURS = re.compile(r"^\s*(\d{1,4})\s*h(?:ours?)?\s*$", re.I)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def resolve_period(period: Period, now: datetime, *, default: str = "7d", tz: str = DEFAULT_TZ) -> tuple[datetime, datetime]:
    """(since, until). Explicit bounds win; `range` is read like a request's words ("7d", "last week");
    with neither, `default` applies. A missing end is `now`."""
    since, until = period.since, period.until
    if since is None:
        phrase = period.range or default
        if m := _HOURS.match(phrase):
            since = now - timedelta(hours=int(m[1]))
        else:
            rng = parse_date_range(phrase, now, tz)
            if rng is None or rng.since is None:
                raise PeriodError(f"cannot read the time range {phrase!r}: use e.g. 7d, 2w, 24h, last week, or since/until")
            since, until = rng.since, until or rng.until
    since, until = _utc(since), _utc(until or now)
    if since >= until:
        raise PeriodError(f"the time range is empty: {since.isoformat()} is not before {until.isoformat()}")
    if until - since > timedelta(days=366):
        raise PeriodError("the time range is longer than a year; ask for a shorter one")
    return since, until
