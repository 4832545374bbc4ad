"""Pure parts of routing: references and date ranges."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from teamlens.orchestrator import references as refs
from teamlens.orchestrator.dates import parse_date_range, shift_weeks

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday, 12:00 in Tokyo
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
    # NOW is Wednesday 2026-11-25
    ("the day before yesterday", ("2026-11-23", "2026-11-24")),
    ("一昨日のデプロイ", ("2026-11-23", "2026-11-24")),
    ("hôm kia", ("2026-11-23", "2026-11-24")),
    ("last Thursday", ("2026-11-19", "2026-11-20")),
    ("先週の木曜日", ("2026-11-19", "2026-11-20")),
    ("thứ năm tuần trước", ("2026-11-19", "2026-11-20")),
    ("over the weekend", ("2026-11-21", "2026-11-23")),
    ("last weekend", ("2026-11-21", "2026-11-23")),
    ("週末に何か", ("2026-11-21", "2026-11-23")),
    ("past three weeks", ("2026-11-04", "2026-11-25")),
    ("直近5日", ("2026-11-20", "2026-11-25")),
    ("5 ngay qua", ("2026-11-20", "2026-11-25")),
    ("Nov 2 to 6", ("2026-11-02", "2026-11-07")),
    ("from Oct 30 - Nov 3", ("2026-10-30", "2026-11-04")),
    ("11月2日〜6日", ("2026-11-02", "2026-11-07")),
    ("10月30日から11月3日", ("2026-10-30", "2026-11-04")),
    ("từ 2/11 đến 6/11", ("2026-11-02", "2026-11-07")),
    ("Dec 28 to 30", ("2025-12-28", "2025-12-31")),  # not yet this year: last year's
])
def test_date_ranges(text, expected):
    assert days(text) == expected


def test_year_boundary():
    jan = datetime(2027, 1, 3, 3, 0, tzinfo=UTC)  # Sunday
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


@pytest.mark.parametrize("text,key", [
    ("Write the weekly report for the BOOK project", "BOOK"),
    ("BOOKプロジェクトの週次レポート", "BOOK"),
    ("Viết báo cáo cho dự án BOOK", "BOOK"),
    ("Create a Backlog issue in PAY summing up the sprint", "PAY"),
    ("OPSの課題で期限切れのもの", "OPS"),
    ("BOOK-24 status", None),  # an issue, not a project
    ("the booking project status", None),  # not a key
])
def test_backlog_project_keys(text, key):
    assert refs.backlog_project(text) == key


@pytest.mark.parametrize("text", [
    "Create a Backlog issue in PAY summarizing this week's work",
    "今週の作業をまとめてBacklogに登録して",
    "Tạo issue trên Backlog tóm tắt công việc tuần này",
])
def test_creating_something_in_backlog_is_a_report_whatever_else_it_says(text):
    from teamlens.orchestrator.router import Router

    route = Router(embedder=None).route(text, now=NOW)  # settled by rule: no embedder or model needed
    assert route.intent == "report" and route.method == "pattern"


@pytest.mark.parametrize("text,intent", [
    ("Could the change in payments!7 break checkout?", "review_mr"),
    ("payments!7 の変更で気になる点はありますか", "review_mr"),
    ("payments!7 có an toàn để merge không?", "review_mr"),
    ("Who approved payments!7?", "search"),
    ("payments!7 はいつマージされましたか", "search"),
    ("payments!7 sửa lỗi gì vậy?", "search"),
    ("What happened in #ops yesterday?", "summarize_slack"),
    ("#opsで昨日何があった？", "summarize_slack"),
    ("Hôm qua #ops có chuyện gì?", "summarize_slack"),
    ("In #ops, why was the cache TTL lowered?", "search"),
    ("Which invoices are overdue? Make a report for the PAY project", "report"),
])
def test_a_named_merge_request_or_channel_decides_by_what_is_asked_about_it(text, intent):
    from teamlens.orchestrator.router import Router

    route = Router(embedder=None).route(text, now=NOW)  # settled by rule: no embedder or model needed
    assert (route.intent, route.method) == (intent, "pattern")
