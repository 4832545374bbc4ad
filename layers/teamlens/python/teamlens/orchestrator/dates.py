"""Date ranges a request names, absolute or relative, in English, Japanese and Vietnamese (pure).

Ranges are computed in the team's time zone and returned in UTC with an exclusive end; weeks start on
Monday. `now` is always passed in, so "last week" is testable.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teamlens.orchestrator.intents import DateRange
from teamlens.orchestrator.references import normalize

DEFAULT_TZ = "Asia/Tokyo"
_WEEKDAYS = {
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{d: i for i, d in enumerate(("月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜"))},
    **{d: i for i, d in enumerate(("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"))},
}
ISO = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_EN_WEEKDAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_JA_WEEKDAY = r"(月曜|火曜|水曜|木曜|金曜|土曜|日曜)"
_VI_WEEKDAY = r"(thứ hai|thứ ba|thứ tư|thứ năm|thứ sáu|thứ bảy|chủ nhật)"
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                           "dec"))}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10,
                 "fourteen": 14, "thirty": 30}
_COUNT = r"(\d+|two|three|four|five|six|seven|ten|fourteen|thirty)"
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?:from|since|từ)?\s*{ISO}\s*(?:to|until|through|[-~〜～]|đến|から)\s*{ISO}", re.I), "iso_range"),
    # "Nov 16 to 20", "Nov 16 - Nov 20", "11月16日〜20日", "16/11 đến 20/11" (Vietnamese writes day/month)
    (re.compile(rf"{_MONTH}\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:to|until|through|[-~〜～])\s*(?:{_MONTH}\s*)?(\d{{1,2}})\b"
                r"|(\d{1,2})月(\d{1,2})日?\s*(?:から|[-~〜～])\s*(?:(\d{1,2})月)?(\d{1,2})日"
                r"|(\d{1,2})/(\d{1,2})\s*(?:đến|tới|-|~)\s*(\d{1,2})/(\d{1,2})", re.I), "month_day_range"),
    (re.compile(rf"(?:past|last|previous)\s+{_COUNT}\s*(day|week|month)s?|(?:過去|直近|ここ)\s*(\d+)\s*(日|週間|ヶ月|か月)"
                r"|(\d+)\s*(ngày|tuần|tháng|ngay|tuan|thang)\s*(?:qua|gần đây|vừa qua|gan day|vua qua)|\b(\d+)\s*([dwm])\b",
                re.I), "last_n"),
    (re.compile(r"day before yesterday|一昨日|おととい|hôm kia", re.I), "day_before_yesterday"),
    (re.compile(rf"(?:last|previous)\s+{_EN_WEEKDAY}|先週の?{_JA_WEEKDAY}日?|{_VI_WEEKDAY}\s+tuần trước", re.I),
     "last_weekday"),
    (re.compile(r"weekend|週末|cuối tuần", re.I), "weekend"),
    (re.compile(r"week before(?: that)?|先々週|その前の週|tuần trước nữa|hai tuần trước", re.I), "week_before_last"),
    (re.compile(r"last week|previous week|先週|tuần trước|tuần rồi", re.I), "last_week"),
    (re.compile(r"this week|今週|tuần này", re.I), "this_week"),
    (re.compile(r"last month|previous month|先月|tháng trước", re.I), "last_month"),
    (re.compile(r"this month|今月|tháng này", re.I), "this_month"),
    (re.compile(r"yesterday|昨日|きのう|hôm qua", re.I), "yesterday"),
    (re.compile(r"today|今日|きょう|本日|hôm nay", re.I), "today"),
    (re.compile(rf"(?:since|from)\s+{_EN_WEEKDAY}|{_JA_WEEKDAY}日?から|từ\s+{_VI_WEEKDAY}", re.I), "since_weekday"),
    (re.compile(rf"(?:since|from|after|từ)\s*{ISO}|{ISO}\s*(?:から|以降)", re.I), "since_iso"),
    (re.compile(rf"(?:week of\s*|tuần\s+(?:của\s+)?(?:ngày\s+)?){ISO}|{ISO}\s*の週", re.I), "week_of"),
    (re.compile(rf"(?:on\s+)?{ISO}", re.I), "on_iso"),
]


def parse_date_range(text: str, now: datetime, tz: str = DEFAULT_TZ) -> DateRange | None:
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    today = local_now.date()
    text = normalize(text)
    for pattern, kind in _RULES:
        m = pattern.search(text)
        if m:
            start, end = _range(kind, list(m.groups()), today, local_now)
            return DateRange(since=_utc(start, zone), until=_utc(end, zone) if isinstance(end, date) else end)
    return None


def shift_weeks(rng: DateRange, weeks: int) -> DateRange:
    """The same range moved by whole weeks ("and the week before?")."""
    delta = timedelta(weeks=weeks)
    return DateRange(since=rng.since + delta if rng.since else None, until=rng.until + delta if rng.until else None)


def _range(kind: str, g: list[str | None], today: date, local_now: datetime) -> tuple[date, date | datetime]:
    monday = today - timedelta(days=today.weekday())
    if kind == "iso_range":
        a, b = _iso(g[0:3]), _iso(g[3:6])
        return min(a, b), max(a, b) + timedelta(days=1)
    if kind == "month_day_range":
        return _month_day_range(g, today)
    if kind == "last_n":
        pairs = [(g[i], g[i + 1]) for i in range(0, len(g), 2) if g[i]]
        count, unit_name = pairs[0]
        n = _NUMBER_WORDS.get((count or "").lower()) or int(count or 0)
        unit = (unit_name or "").lower()
        weeks, months = ("week", "週間", "tuần", "tuan", "w"), ("month", "ヶ月", "か月", "tháng", "thang", "m")
        days = n * (7 if unit in weeks else 30 if unit in months else 1)
        return today - timedelta(days=days), local_now
    if kind == "day_before_yesterday":
        return today - timedelta(days=2), today - timedelta(days=1)
    if kind == "last_weekday":  # that day of the week before this one
        day = monday - timedelta(days=7) + timedelta(days=_WEEKDAYS[next(x for x in g if x).lower()])
        return day, day + timedelta(days=1)
    if kind == "weekend":  # the one under way, or the last one
        saturday = monday + timedelta(days=5) if today.weekday() >= 5 else monday - timedelta(days=2)
        return saturday, (local_now if today.weekday() >= 5 else saturday + timedelta(days=2))
    if kind == "week_before_last":
        return monday - timedelta(days=14), monday - timedelta(days=7)
    if kind == "last_week":
        return monday - timedelta(days=7), monday
    if kind == "this_week":
        return monday, local_now
    if kind == "last_month":
        first = today.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1), first
    if kind == "this_month":
        return today.replace(day=1), local_now
    if kind == "yesterday":
        return today - timedelta(days=1), today
    if kind == "today":
        return today, local_now
    if kind == "since_weekday":
        name = next(x for x in g if x).lower()
        back = (today.weekday() - _WEEKDAYS[name]) % 7
        return today - timedelta(days=back), local_now
    if kind == "since_iso":
        return _iso([x for x in g if x][0:3]), local_now
    if kind == "week_of":
        d = _iso([x for x in g if x][0:3])
        start = d - timedelta(days=d.weekday())
        return start, start + timedelta(days=7)
    d = _iso(g[0:3])  # on_iso
    return d, d + timedelta(days=1)


def _month_day_range(g: Sequence[str | None], today: date) -> tuple[date, date]:
    """A range of days within a month or across two, in this year (last year when it would be ahead)."""
    if g[0]:  # "Nov 16 to (Nov) 20"
        m1, d1, m2, d2 = _MONTHS[g[0][:3].lower()], g[1], _MONTHS[(g[2] or g[0])[:3].lower()], g[3]
    elif g[4]:  # 11月16日〜(11月)20日
        m1, d1, m2, d2 = int(g[4] or 0), g[5], int(g[6] or g[4] or 0), g[7]
    else:  # 16/11 đến 20/11
        m1, d1, m2, d2 = int(g[9] or 0), g[8], int(g[11] or 0), g[10]
    year = today.year if (m1, int(d1 or 0)) <= (today.month, today.day) else today.year - 1
    start, end = date(year, m1, int(d1 or 0)), date(year, m2, int(d2 or 0))
    return start, end + timedelta(days=1)


def _iso(parts: Sequence[str | None]) -> date:
    y, m, d = (int(p) for p in parts)  # type: ignore[arg-type]
    return date(y, m, d)


def _utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.min, tzinfo=zone).astimezone(UTC)
