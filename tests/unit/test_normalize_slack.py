"""Slack threads and day buckets (raw objects as the fetch step stores them) to Documents."""
from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from teamlens.ingestion.normalize import documents_from_raw
from teamlens.ingestion.normalize_slack import render_text

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> tuple[str, dict]:
    sample = json.loads((FIXTURES / name).read_text())
    return sample["key"], sample["raw"]


def one_document(name: str):
    key, raw = load(name)
    docs = documents_from_raw(key, raw)
    assert len(docs) == 1
    return docs[0]


def test_thread_is_one_document_with_parent_and_replies_in_order():
    doc = one_document("slack_thread.json")
    assert doc.id == "slack:thread:C07QABUGS:1793588700.684406"
    assert (doc.source, doc.kind, doc.channel) == ("slack", "slack_thread", "qa-bugs")
    assert doc.url == "https://kumo.slack.example/archives/C07QABUGS/p1793588700684406"
    assert doc.author == "Trần Thị Mai"
    assert doc.created_at == datetime.fromtimestamp(1793588700.684406, tz=UTC)
    assert doc.updated_at == datetime.fromtimestamp(1793593500.0004, tz=UTC)
    assert doc.title.startswith("Mình vừa tái hiện được lỗi đặt trùng bàn")
    assert [p.author for p in doc.parts] == ["Trần Thị Mai", "Sato Yuki", "An", "Trần Thị Mai", "teamlens", "An"]
    assert [p.at for p in doc.parts] == sorted(p.at for p in doc.parts)
    assert doc.metadata == {"channel_id": "C07QABUGS", "thread_ts": "1793588700.684406", "message_count": 6,
                            "reply_count": 5, "parent_deleted": False}
    assert doc.text == "\n".join(p.text for p in doc.parts)


def test_each_message_links_to_its_own_permalink():
    doc = one_document("slack_thread.json")
    assert doc.parts[0].url == doc.url
    assert doc.parts[1].url.endswith("p1793590320000100?thread_ts=1793588700.684406&cid=C07QABUGS")


def test_mentions_links_and_entities_are_rendered():
    doc = one_document("slack_thread.json")
    parent, broadcast, video = doc.parts[0].text, doc.parts[2].text, doc.parts[3].text
    assert "@Sato Yuki @An mọi người" in parent          # <@U07SATO> (real name: no display name) and <@U07AN>
    assert "BOOK-28 (https://kumo.backlog.example/view/BOOK-28)" in parent
    assert "booking-api!6 (https://gitlab.kumo.example/kumo/booking-api/-/merge_requests/6) & deployed" in broadcast
    assert "to staging <3 @here please retest in #qa-bugs" in broadcast
    assert "@former.member" in video                     # a user no longer listed keeps the label Slack sent
    assert "[file: repro video]" in video
    assert "<@" not in doc.text and "&amp;" not in doc.text and "<!" not in doc.text


def test_bot_messages_are_attributed_to_the_bot():
    doc = one_document("slack_thread.json")
    assert doc.parts[4].text.startswith("teamlens (04:10): Summary: double booking fixed")


def test_edited_message_reads_as_it_is_now():
    key, raw = load("slack_thread.json")
    doc = documents_from_raw(key, raw)[0]
    assert "排他制約で防ぎましょう" in doc.parts[1].text
    raw = copy.deepcopy(raw)
    raw["messages"][1]["text"] = "やはり Redis のロックにしましょう。"
    raw["messages"][1]["edited"] = {"user": "U07SATO", "ts": "1793594000.000000"}
    edited = documents_from_raw(key, raw)[0]
    assert "やはり Redis のロックにしましょう。" in edited.text
    assert "排他制約" not in edited.text
    assert edited.id == doc.id
    assert edited.updated_at == datetime.fromtimestamp(1793594000, tz=UTC)  # the edit time counts


def test_message_changed_event_gives_the_new_text_and_deleted_messages_vanish():
    key, raw = load("slack_thread.json")
    raw = copy.deepcopy(raw)
    reply = raw["messages"][5]
    raw["messages"][5] = {"type": "message", "subtype": "message_changed", "hidden": True, "ts": "1793599000.000000",
                          "message": {**reply, "text": "Đã test lại, OK rồi."},
                          "previous_message": reply}
    raw["messages"][3] = {"type": "message", "subtype": "message_deleted", "hidden": True,
                          "ts": "1793599100.000000", "deleted_ts": raw["messages"][3]["ts"]}
    doc = documents_from_raw(key, raw)[0]
    assert "Đã test lại, OK rồi." in doc.text and "50 request song song" not in doc.text
    assert "Video tái hiện" not in doc.text
    assert doc.metadata["message_count"] == 5


def test_deleted_parent_keeps_the_thread_without_its_text():
    doc = one_document("slack_thread_tombstone.json")
    assert doc.id == "slack:thread:C07QABUGS:1793153100.361741"
    assert "This message was deleted" not in doc.text
    assert doc.text == "Sato Yuki (02:12): 見ます！"
    assert doc.author == "" and doc.metadata["parent_deleted"] is True
    assert doc.title == "見ます！"
    assert doc.created_at == datetime.fromtimestamp(1793153100.361741, tz=UTC)  # still the thread's time
    assert doc.language == "ja"


def test_thread_with_nothing_left_gives_no_document():
    key, raw = load("slack_thread_tombstone.json")
    raw = copy.deepcopy(raw)
    raw["messages"] = raw["messages"][:1]  # only the tombstone
    assert documents_from_raw(key, raw) == []


def test_day_bucket_holds_top_level_messages_oldest_first():
    doc = one_document("slack_day.json")
    assert doc.id == "slack:day:C07GENERAL:2026-11-14"
    assert (doc.kind, doc.channel, doc.title) == ("slack_day", "general", "#general on 2026-11-14")
    assert [p.author for p in doc.parts] == ["Sato Yuki", "Trần Thị Mai", "An"]  # join message dropped
    assert doc.parts[0].text == "Sato Yuki (02:00): 本日のリリースは 18:00 に延期します。理由は決済APIの障害です。"
    assert "https://kumo.backlog.example/view/BOOK-41, please review" in doc.parts[1].text
    assert "@channel" in doc.parts[2].text
    assert "has joined" not in doc.text
    assert "Broadcast from a thread" not in doc.text and "stray reply" not in doc.text  # live in their thread
    assert doc.url == doc.parts[0].url
    assert doc.metadata == {"channel_id": "C07GENERAL", "date": "2026-11-14", "message_count": 3}
    assert [p.language for p in doc.parts] == ["ja", "en", "vi"]


def test_languages_of_documents():
    assert one_document("slack_thread.json").language == "vi"
    assert one_document("slack_thread_tombstone.json").language == "ja"


@pytest.mark.parametrize("name", ["slack_thread.json", "slack_thread_tombstone.json", "slack_day.json"])
def test_normalizing_is_deterministic_and_leaves_the_input_alone(name: str):
    key, raw = load(name)
    before = copy.deepcopy(raw)
    first = [d.model_dump() for d in documents_from_raw(key, raw)]
    second = [d.model_dump() for d in documents_from_raw(key, copy.deepcopy(raw))]
    assert first == second
    assert raw == before


@pytest.mark.parametrize(("text", "expected"), [
    ("<@U1> hi", "@Mai hi"),
    ("<@U1|mai.tran> hi", "@Mai hi"),
    ("<@U404|ghost> hi", "@ghost hi"),
    ("<@U404> hi", "@U404 hi"),
    ("<#C1|dev-backend>", "#dev-backend"),
    ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
    ("<!subteam^S1|@backend-team> please", "@backend-team please"),
    ("<!date^1794614400^{date_short}|Nov 14> release", "Nov 14 release"),
    ("<mailto:mai@kumo.example|mai@kumo.example>", "mai@kumo.example"),
    ("<https://x.example/a?b=1&amp;c=2>", "https://x.example/a?b=1&c=2"),
    ("a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"),
])
def test_render_text(text: str, expected: str):
    users = {"U1": {"id": "U1", "name": "mai.tran", "profile": {"display_name": "Mai", "real_name": "Trần Thị Mai"}}}
    assert render_text(text, users) == expected
