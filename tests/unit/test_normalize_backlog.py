"""A Backlog issue with its comments to one Document; the key dispatch of documents_from_raw."""
from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from teamlens.ingestion.normalize import UnknownRawKey, documents_from_raw

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> tuple[str, dict]:
    sample = json.loads((FIXTURES / name).read_text())
    return sample["key"], sample["raw"]


def issue_document():
    key, raw = load("backlog_issue.json")
    [doc] = documents_from_raw(key, raw)
    return doc


def test_issue_document_fields():
    doc = issue_document()
    assert doc.id == "backlog:issue:BOOK-28"
    assert (doc.source, doc.kind, doc.project) == ("backlog", "backlog_issue", "BOOK")
    assert doc.url == "https://kumo.backlog.example/view/BOOK-28"
    assert doc.title == "【予約】同じテーブルに二重予約ができてしまう"
    assert doc.author == "Trần Thị Mai"
    assert doc.created_at == datetime(2026, 11, 2, 3, 10, tzinfo=UTC)
    assert doc.updated_at == datetime(2026, 11, 5, 7, 20, tzinfo=UTC)
    assert doc.language == "ja"


def test_issue_metadata():
    md = issue_document().metadata
    assert md["issue_key"] == "BOOK-28"
    assert md["status"] == "完了" and md["priority"] == "高" and md["issue_type"] == "バグ"
    assert md["assignee"] == "Nguyễn Văn An"
    assert md["milestone"] == ["v2.4"] and md["category"] == ["予約"]
    assert md["due_date"] == "2026-11-04" and md["start_date"] == "2026-11-02"
    assert md["due_ts"] == int(datetime(2026, 11, 4, tzinfo=UTC).timestamp())
    assert md["resolution"] == "対応済み"
    assert md["comment_count"] == 4


def test_body_first_then_comments_with_their_field_changes():
    doc = issue_document()
    body, *comments = doc.parts
    assert body.role == "body"
    assert body.text.startswith("【予約】同じテーブルに二重予約ができてしまう (BOOK-28)\n")
    assert "Status: 完了" in body.text and "Assignee: Nguyễn Văn An" in body.text and "Due: 2026-11-04" in body.text
    assert "## Mô tả\nHai người dùng đặt cùng bàn" in body.text
    assert [c.author for c in comments] == ["Nguyễn Văn An", "Sato Yuki", "Nguyễn Văn An", "Trần Thị Mai"]
    assert comments[0].text == ("Nguyễn Văn An (2026-11-02 04:40): Nguyên nhân: `reserve_table` SELECT rồi INSERT "
                                "mà không khóa. Sẽ sửa bằng `SELECT ... FOR UPDATE`.\n  [status: 未対応 → 処理中]")
    assert comments[1].text == "Sato Yuki (2026-11-02 05:00):\n  [assigner: Sato Yuki → Nguyễn Văn An]"
    assert comments[3].text.endswith("[status: 処理済み → 完了]\n  [resolution: — → 対応済み]")
    assert comments[0].url == "https://kumo.backlog.example/view/BOOK-28#comment-91000101"
    assert [c.language for c in comments] == ["vi", "", "en", "vi"]
    assert "Tanaka" not in doc.text  # a comment with neither text nor changes adds nothing


def test_comments_are_ordered_oldest_first_whatever_the_input_order():
    key, raw = load("backlog_issue.json")
    shuffled = copy.deepcopy(raw)
    shuffled["comments"].reverse()
    assert documents_from_raw(key, shuffled)[0].text == documents_from_raw(key, raw)[0].text


def test_issue_without_optional_fields():
    key, raw = load("backlog_issue.json")
    raw = copy.deepcopy(raw)
    issue = raw["issue"]
    for field in ("assignee", "dueDate", "startDate", "resolution", "description"):
        issue[field] = None
    issue["milestone"] = []
    raw["comments"] = []
    [doc] = documents_from_raw(key, raw)
    assert doc.metadata["due_date"] == "" and "due_ts" not in doc.metadata
    assert doc.metadata["assignee"] == "" and doc.metadata["milestone"] == []
    assert len(doc.parts) == 1 and "Due:" not in doc.text and "Assignee:" not in doc.text


def test_deterministic():
    key, raw = load("backlog_issue.json")
    assert documents_from_raw(key, raw)[0].model_dump() == documents_from_raw(key, copy.deepcopy(raw))[0].model_dump()


@pytest.mark.parametrize("key", ["raw/gitlab/projects/11.json", "raw/backlog/projects/BOOK.json"])
def test_project_records_give_no_documents(key: str):
    assert documents_from_raw(key, {"id": 11}) == []


def test_unknown_key_is_a_clear_error():
    with pytest.raises(UnknownRawKey, match=r"raw/jira/issues/X-1\.json"):
        documents_from_raw("raw/jira/issues/X-1.json", {})


def test_malformed_raw_object_names_its_key():
    with pytest.raises(ValueError, match=r"raw/backlog/issues/BOOK/BOOK-1\.json.*issue"):
        documents_from_raw("raw/backlog/issues/BOOK/BOOK-1.json", {"space_url": "https://x.example"})
