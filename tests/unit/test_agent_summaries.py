"""Pure parts of Slack summaries: what a message is, owners and due dates, counts, chunking."""
from __future__ import annotations

from datetime import date

import pytest

from teamlens.agents.errors import NotFound
from teamlens.agents.summarize import digest
from teamlens.agents.summarize.messages import Message, parse_thread
from teamlens.agents.summarize.signals import assignee, due_date, kinds

SENT = date(2026, 11, 2)  # a Monday


@pytest.mark.parametrize("text,expected", [
    ("We decided to use date-fns for all date formatting.", {"decision"}),
    ("IPではなくアカウント単位で、5分間に10回までにしましょう。", {"decision"}),
    ("Anh Tanaka quyết định: tiền hoàn làm tròn lên.", {"decision"}),
    ("Will update the staging DB runbook by Wed Nov 18.", {"action"}),
    ("ポリフィルの削除は僕がやります（11月4日(水)まで）。", {"action"}),
    ("Em sẽ gửi test plan trước thứ Hai 23/11.", {"action"}),
    ("Has anyone seen the 502 on staging?", {"question"}),
    ("ステージングは今日使えますか？", {"question"}),
    ("Deployed main to staging.", set()),
])
def test_kinds(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text,due", [
    ("Will update the runbook by Wed Nov 18.", date(2026, 11, 18)),
    ("11月12日(木) までに共有します。", date(2026, 11, 12)),
    ("em viết helper, xong trước thứ Sáu 6/11.", date(2026, 11, 6)),
    ("Dự kiến thứ Tư có MR để review.", date(2026, 11, 4)),
    ("I'll do it by Friday", date(2026, 11, 6)),
    ("by 2026-12-01", date(2026, 12, 1)),
    ("no date here", None),
])
def test_due_dates_are_read_relative_to_the_message(text, due):
    assert due_date(text, SENT) == due


def test_a_date_early_in_the_year_written_in_december_is_next_year():
    assert due_date("xong trước 5/1", date(2026, 12, 28)) == date(2027, 1, 5)


def test_owner_is_who_a_request_names_else_the_author():
    assert assignee("<@U2> please send the plan by Nov 20", "U1") == "U2"
    assert assignee("I'll send the plan by Nov 20, <@U2> FYI", "U1") == "U1"


def _m(ts: str, user: str, text: str, thread: str | None = None, replies: int = 0) -> Message:
    return Message(ts=ts, thread_ts=thread, user=user, author=user.lower(), text=text, reply_count=replies)


def test_counts_and_open_questions_come_from_the_messages():
    messages = [_m("100.1", "A", "Who owns the runbook?", "100.1", replies=1), _m("101.1", "B", "I do.", "100.1"),
                _m("102.1", "A", "Is staging down?"), _m("103.1", "C", "Deployed.")]
    stats = digest.stats(messages)
    assert stats.messages == 4 and stats.threads == 1
    assert [(p.user, p.messages) for p in stats.participants] == [("A", 2), ("B", 1), ("C", 1)]
    items = digest.extract(messages, {}, "Asia/Tokyo")
    assert [q.ts for q in items["open_questions"]] == ["102.1"]  # the answered one is not open


def test_chunks_stay_within_budget_and_keep_every_line():
    lines = [f"[11-02 10:{i:02d}] user{i}: " + "word " * 40 for i in range(30)]
    parts = digest.chunks(lines, budget=200)
    assert len(parts) > 1 and "\n".join(parts).splitlines() == lines


def test_thread_references():
    assert parse_thread("https://x.slack.com/archives/C04KQABUGS1/p1794989400071974") == ("C04KQABUGS1", "1794989400.071974")
    assert parse_thread("C04KQABUGS1:1794989400.071974") == ("C04KQABUGS1", "1794989400.071974")
    with pytest.raises(NotFound):
        parse_thread("yesterday's thread")
