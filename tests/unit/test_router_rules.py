"""Pure parts of routing: references and date ranges."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from teamlens.orchestrator import references as refs
from teamlens.orchestrator.dates import parse_date_range, shift_weeks

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)  # Wednesday, 12:00 in Tokyo
JST = ZoneInfo("Asia/Tokyo")


def days(text: str, now: datetime = NOW) -> tuple[str, str] | None:
    rng = parse_date_range(text, now)
    return rng and (rng.since.astimezone(JST).date().isoformat(), rng.until.astimezone(JST).date().isoformat())


@pytest.mark.parametrize("text,expected", [
    ("summarize last week", ("2026-11-16", "2026-11-23")),
    ("先週の議論", ("2026-11-16", "2026-11-23")),
    ("tuần trước", ("2026-11-16", "2026-11-23")),
    ("yesterday", ("2026-11-24", "2026-11-25")),
    ("昨日", ("2026-11-24", "2026-11-25")),
    ("hôm qua", ("2026-11-24", "2026-11-25")),
    ("this week", ("2026-11-23", "2026-11-25")),
    ("past 3 days", ("2026-11-22", "2026-11-25")),
    ("過去３日", ("2026-11-22", "2026-11-25")),  # full-width digit
    ("3 ngày qua", ("2026-11-22", "2026-11-25")),
    ("7d", ("2026-11-18", "2026-11-25")),
    ("last month", ("2026-10-01", "2026-11-01")),
    ("from 2026-11-01 to 2026-11-07", ("2026-11-01", "2026-11-08")),
    ("the week of 2026-11-18", ("2026-11-16", "2026-11-23")),
    ("on 2026-11-12", ("2026-11-12", "2026-11-13")),
    ("since Monday", ("2026-11-23", "2026-11-25")),
    ("nothing about time", None),
])
def test_date_ranges(text, expected):
    assert days(text) == expected


def test_year_boundary():
    jan = datetime(2027, 1, 3, 3, 0, tzinfo=timezone.utc)  # Sunday
    assert days("last week", jan) == ("2026-12-21", "2026-12-28")
    assert days("last month", jan) == ("2026-12-01", "2027-01-01")


def test_until_is_exclusive_and_ranges_shift_by_weeks():
    rng = parse_date_range("last week", NOW)
    before = shift_weeks(rng, -1)
    assert (before.until - before.since).days == 7 and before.until == rng.since


@pytest.mark.parametrize("text,project,iid", [
    ("review booking-api!12", "booking-api", 12),
    ("booking-api!12をレビュー", "booking-api", 12),
    ("kumo/booking-web!3 please", "kumo/booking-web", 3),
    ("look at !7.", None, 7),
    ("！21をレビュー", None, 21),
    ("MR 14 in kumo/booking-api", "kumo/booking-api", 14),
    ("https://gitlab.kumo.example/kumo/booking-api/-/merge_requests/9).", "kumo/booking-api", 9),
])
def test_mr_references(text, project, iid):
    mr = refs.mr_reference(text)
    assert mr is not None and (mr.project, mr.iid) == (project, iid)


def test_mr_url_loses_trailing_punctuation():
    mr = refs.mr_reference("see https://gitlab.example/g/p/-/merge_requests/9).")
    assert mr.url == "https://gitlab.example/g/p/-/merge_requests/9"


@pytest.mark.parametrize("text,channel", [
    ("summarize #release", "release"), ("先週の#releaseをまとめて", "release"), ("＃qa-bugs の要約", "qa-bugs"),
    ("the backend channel", "backend"), ("kênh release", "release"), ("releaseチャンネル", "release"),
    ("issue #12 in the tracker", None), ("nothing", None),
])
def test_channels(text, channel):
    assert refs.channel(text) == channel


def test_slack_thread_and_backlog_keys():
    assert refs.slack_thread("https://x.slack.com/archives/C04KRELEASE/p1793840400755853?thread_ts=1") == (
        "C04KRELEASE", "1793840400.755853")
    assert refs.backlog_keys("BOOK-24 and OPS-37, again BOOK-24") == ["BOOK-24", "OPS-37"]
