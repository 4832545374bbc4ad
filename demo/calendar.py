"""The demo's fixed timeline: four weeks ending on a configured date, never the wall clock."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC


@dataclass(frozen=True)
class Timeline:
    end: dt.date           # last day of the window (a Friday by default)
    days: int = 28

    @property
    def start(self) -> dt.date:
        return self.end - dt.timedelta(days=self.days - 1)

    def workdays(self) -> list[dt.date]:
        return [d for d in (self.start + dt.timedelta(days=i) for i in range(self.days)) if d.weekday() < 5]

    def workday(self, k: int) -> dt.date:
        """The k-th working day of the window (negative counts from the end)."""
        return self.workdays()[k]

    @property
    def ops_milestone(self) -> str:
        """The operations project's monthly milestone ("2026-11 運用改善"), named after the window's last month."""
        return f"{self.end:%Y-%m} 運用改善"

    def after_end(self, days: int) -> dt.date:
        return self.end + dt.timedelta(days=days)

    def at(self, day: dt.date, hhmm: str, tz: str, second: int = 0) -> dt.datetime:
        """A local wall-clock time on `day` in `tz`, as an aware UTC datetime."""
        hh, mm = (int(x) for x in hhmm.split(":"))
        local = dt.datetime(day.year, day.month, day.day, hh, mm, second, tzinfo=ZoneInfo(tz))
        return local.astimezone(UTC)


def iso_z(t: dt.datetime) -> str:
    """GitLab/Backlog style UTC timestamp with milliseconds: 2026-11-02T03:15:00.000Z."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def iso_seconds_z(t: dt.datetime) -> str:
    """Backlog style: 2026-11-02T03:15:00Z."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slack_ts(t: dt.datetime, seq: int = 0) -> str:
    """Slack message ts: epoch seconds and a 6-digit suffix unique within the channel."""
    return f"{int(t.timestamp())}.{seq:06d}"


_JA_WEEKDAYS = "月火水木金土日"
_VI_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def ja_date(d: dt.date) -> str:
    return f"{d.month}月{d.day}日({_JA_WEEKDAYS[d.weekday()]})"


def vi_date(d: dt.date) -> str:
    return f"{_VI_WEEKDAYS[d.weekday()]} {d.day}/{d.month}"


def en_date(d: dt.date) -> str:
    return d.strftime("%a %b ") + str(d.day)
