"""Documents to chunks: budgets, ids, context headers, metadata, and the per-kind cutting rules."""
from __future__ import annotations

import copy
import difflib
import itertools
import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from teamlens.documents import Document, Part
from teamlens.ingestion.chunking import Chunk, ChunkBudget, chunk_document
from teamlens.ingestion.diff_hunks import parse_hunks
from teamlens.ingestion.normalize import documents_from_raw
from teamlens.text_budget import count_tokens

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = ["slack_thread.json", "slack_thread_tombstone.json", "slack_day.json", "gitlab_merge_request.json",
           "gitlab_issue.json", "backlog_issue.json"]
BUDGETS = [ChunkBudget(), ChunkBudget(max_tokens=96, overlap_tokens=24),
           ChunkBudget(max_tokens=48, overlap_tokens=12, header_max_tokens=16)]
REQUIRED = {"source", "kind", "document_id", "title", "url", "document_url", "author", "authors", "project",
            "channel", "language", "created_at", "updated_at", "created_ts", "updated_ts", "chunk_index",
            "chunk_count"}


def load(name: str) -> tuple[str, dict]:
    sample = json.loads((FIXTURES / name).read_text())
    return sample["key"], sample["raw"]


def fixture_documents() -> list[Document]:
    return [d for name in SAMPLES for d in documents_from_raw(*load(name))] + [code_document(PY_FILE)]


def body(chunk: Chunk) -> str:
    return chunk.text.split("\n", 1)[1]


PY_FILE = '''"""Booking service."""
from datetime import datetime

from app.db import transaction


class NoTableAvailable(Exception):
    """No table of the size is free at that time."""


@traced
async def reserve_table(restaurant_id: int, party_size: int) -> int:
    async with transaction() as tx:
        return await tx.fetchval("SELECT 1 FOR UPDATE")


def _overlaps(a, b) -> bool:
    return a.start < b.end and b.start < a.end
'''


def code_document(content: str, path: str = "app/services/booking.py") -> Document:
    project = load("gitlab_issue.json")[1]["project"]
    raw = {"project": project, "file_path": path, "ref": "main", "content": content, "blob_id": "b" * 40,
           "web_url": f"{project['web_url']}/-/blob/main/{path}"}
    [doc] = documents_from_raw("raw/gitlab/files/11/x.json", raw)
    return doc


# -- properties over every sample document and several budgets ------------------------------------------

@pytest.mark.parametrize("budget", BUDGETS, ids=lambda b: f"max{b.max_tokens}")
def test_every_chunk_is_within_budget_and_counts_itself(budget: ChunkBudget):
    for doc in fixture_documents():
        for chunk in chunk_document(doc, budget):
            assert chunk.tokens == count_tokens(chunk.text)
            assert chunk.tokens <= budget.max_tokens, chunk.id


@pytest.mark.parametrize("budget", BUDGETS, ids=lambda b: f"max{b.max_tokens}")
def test_ids_are_document_id_and_index_unique_and_deterministic(budget: ChunkBudget):
    seen: set[str] = set()
    for doc in fixture_documents():
        chunks = chunk_document(doc, budget)
        assert chunks, doc.id
        assert [c.id for c in chunks] == [f"{doc.id}#{i}" for i in range(len(chunks))]
        assert all(c.document_id == doc.id and c.metadata["chunk_count"] == len(chunks) for c in chunks)
        assert [c.metadata["chunk_index"] for c in chunks] == list(range(len(chunks)))
        assert seen.isdisjoint(c.id for c in chunks)
        seen |= {c.id for c in chunks}
        again = chunk_document(Document.model_validate(doc.model_dump()), budget)
        assert [c.model_dump() for c in again] == [c.model_dump() for c in chunks]


@pytest.mark.parametrize("budget", BUDGETS, ids=lambda b: f"max{b.max_tokens}")
def test_metadata_is_flat_scalars_with_the_filter_fields(budget: ChunkBudget):
    for doc in fixture_documents():
        for chunk in chunk_document(doc, budget):
            md = chunk.metadata
            assert md.keys() >= REQUIRED
            assert all(type(v) in (str, int, float, bool) for v in md.values()), md
            assert (md["source"], md["kind"], md["document_id"]) == (doc.source, doc.kind, doc.id)
            assert md["created_ts"] == int(doc.created_at.timestamp())
            assert md["updated_ts"] == int(doc.updated_at.timestamp())
            assert datetime.fromisoformat(md["created_at"]) == doc.created_at
            assert md["language"] in ("en", "ja", "vi")
            assert md["url"].startswith("https://")


@pytest.mark.parametrize("budget", BUDGETS, ids=lambda b: f"max{b.max_tokens}")
def test_no_text_is_lost(budget: ChunkBudget):
    """Every unit of every document reaches some chunk: whole when it fits, else every word of it."""
    for doc in fixture_documents():
        chunks = chunk_document(doc, budget)
        everything = "\n".join(body(c) for c in chunks)
        for part in doc.parts:
            text = part.text.strip()
            if not text:
                continue
            if any(text in body(c) for c in chunks):
                continue
            if part.role == "hunk":  # cut into sub-hunks: every line is there, under recomputed headers
                shown = [ln for c in chunks for ln in body(c).split("\n")]
                for line in text.split("\n")[1:]:  # (a line longer than the budget itself is cut too)
                    assert line in shown or all(w in everything for w in line.split()), (doc.id, line)
                continue
            for word in re.findall(r"\S+", text):
                assert word in everything or all(ch in everything for ch in word), (doc.id, word)


def test_each_chunk_starts_with_its_context_header():
    by_id = {d.id: chunk_document(d)[0].text.split("\n", 1)[0] for d in fixture_documents()}
    assert by_id["slack:thread:C07QABUGS:1793588700.684406"].startswith(
        "[slack #qa-bugs] thread by Trần Thị Mai on 2026-11-02: Mình vừa tái hiện được lỗi")
    assert by_id["slack:thread:C07QABUGS:1793153100.361741"] == "[slack #qa-bugs] thread on 2026-10-28: 見ます！"
    assert by_id["slack:day:C07GENERAL:2026-11-14"] == "[slack #general] messages on 2026-11-14"
    assert by_id["gitlab:mr:11:6"] == \
        "[gitlab kumo/booking-api!6] Fix double booking with a row lock and an exclusion constraint"
    assert by_id["gitlab:mr_diff:11:6:app/services/booking.py"].startswith(
        "[gitlab kumo/booking-api!6] app/services/booking.py — Fix double booking")
    assert by_id["gitlab:mr_diff:11:6:app/utils/time.py"].startswith(
        "[gitlab kumo/booking-api!6] app/utils/time.py (renamed from app/utils/dates.py)")
    assert by_id["gitlab:issue:11:3"] == "[gitlab kumo/booking-api#3] 予約一覧のページングで最後の1件が消える"
    assert by_id["gitlab:code:11:app/services/booking.py"] == "[gitlab kumo/booking-api] app/services/booking.py"
    assert by_id["backlog:issue:BOOK-28"] == "[backlog BOOK-28] 【予約】同じテーブルに二重予約ができてしまう"


def test_a_long_title_is_cut_to_the_header_budget():
    doc = documents_from_raw(*load("backlog_issue.json"))[0].model_copy(update={"title": "とても長い件名" * 60})
    budget = ChunkBudget(max_tokens=120, header_max_tokens=20)
    for chunk in chunk_document(doc, budget):
        header = chunk.text.split("\n", 1)[0]
        assert count_tokens(header) <= 20 and header.endswith("…")
        assert chunk.tokens <= 120


# -- Slack ------------------------------------------------------------------------------------------------

def test_a_thread_that_fits_is_one_chunk_with_the_thread_link():
    doc = documents_from_raw(*load("slack_thread.json"))[0]
    [chunk] = chunk_document(doc)
    assert body(chunk) == doc.text
    md = chunk.metadata
    assert md["url"] == doc.url and md["channel"] == "qa-bugs" and md["channel_id"] == "C07QABUGS"
    assert md["thread_ts"] == "1793588700.684406" and md["language"] == "vi"
    assert md["authors"] == "Trần Thị Mai, Sato Yuki, An, teamlens"
    assert (md["span_start_ts"], md["span_end_ts"]) == (1793588700, 1793593500)


def long_thread(replies: int = 40) -> tuple[str, dict]:
    key, raw = load("slack_thread.json")
    raw = copy.deepcopy(raw)
    parent_ts = raw["messages"][0]["ts"]
    speakers = ["U07MAI", "U07SATO", "U07AN"]
    texts = ["Mình nghĩ nên thêm test cho trường hợp {i} request song song.",
             "{i} 件目のケースも確認しました。ロックの順序に問題はありません。",
             "Checked case {i}: the exclusion constraint rejects the second insert."]
    for i in range(replies):
        ts = f"{1793600000 + i * 60}.{i:06d}"
        raw["messages"].append({"type": "message", "user": speakers[i % 3], "team": "T07KUMO", "ts": ts,
                                "thread_ts": parent_ts, "parent_user_id": "U07MAI",
                                "text": texts[i % 3].format(i=i)})
        raw["permalinks"][ts] = f"https://kumo.slack.example/archives/C07QABUGS/p{ts.replace('.', '')}"
    return key, raw


def test_a_long_thread_becomes_overlapping_windows_of_whole_messages():
    doc = documents_from_raw(*long_thread())[0]
    budget = ChunkBudget(max_tokens=300, overlap_tokens=96)
    chunks = chunk_document(doc, budget)
    assert len(chunks) > 3
    texts = [p.text for p in doc.parts]
    windows = [[i for i, t in enumerate(texts) if t in body(c)] for c in chunks]
    for chunk, window in zip(chunks, windows):  # consecutive whole messages, in thread order
        assert window == list(range(window[0], window[-1] + 1))
        assert body(chunk) == "\n".join(texts[i] for i in window)
        first = doc.parts[window[0]]  # each window links to its first message
        assert chunk.metadata["url"] == first.url
        assert chunk.metadata["span_start_ts"] == int(first.at.timestamp())
    for before, after in itertools.pairwise(windows):
        if count_tokens(texts[before[-1]]) <= budget.overlap_tokens:
            assert before[-1] in after, "the next window repeats the end of the previous one"
        assert after[-1] > before[-1]  # and moves on
    assert set().union(*windows) == set(range(len(texts)))


def test_without_overlap_windows_partition_the_thread():
    doc = documents_from_raw(*long_thread())[0]
    chunks = chunk_document(doc, ChunkBudget(max_tokens=160, overlap_tokens=0))
    assert "\n".join(body(c) for c in chunks) == doc.text


def test_a_message_longer_than_the_budget_is_cut_and_continued():
    key, raw = load("slack_thread_tombstone.json")
    raw = copy.deepcopy(raw)
    essay = "予約の二重登録を防ぐために行ロックを使います。" * 40
    raw["messages"][1]["text"] = essay
    doc = documents_from_raw(key, raw)[0]
    budget = ChunkBudget(max_tokens=120, overlap_tokens=30)
    chunks = chunk_document(doc, budget)
    assert len(chunks) > 3 and all(c.tokens <= 120 for c in chunks)
    assert body(chunks[0]).startswith("Sato Yuki (02:12): 予約の")
    assert all(body(c).startswith("(Sato Yuki, continued) ") for c in chunks[1:])
    rebuilt = body(chunks[0]).removeprefix("Sato Yuki (02:12): ") + "".join(
        body(c).removeprefix("(Sato Yuki, continued) ") for c in chunks[1:])
    assert rebuilt == essay


def test_an_edit_changes_the_text_but_not_the_ids():
    key, raw = long_thread(12)
    budget = ChunkBudget(max_tokens=160, overlap_tokens=48)
    before = chunk_document(documents_from_raw(key, raw)[0], budget)
    edited = copy.deepcopy(raw)
    assert edited["messages"][8]["text"].startswith("Checked case 2:")
    edited["messages"][8]["text"] = "Checked case 99: the exclusion constraint rejects the second insert."
    edited["messages"][8]["edited"] = {"user": "U07AN", "ts": "1793700000.000000"}
    after = chunk_document(documents_from_raw(key, edited)[0], budget)
    assert [c.id for c in after] == [c.id for c in before]
    changed = [a.id for a, b in zip(after, before) if a.text != b.text]
    assert changed and all("case 99" in a.text for a in after if a.id in changed)
    assert not any("Checked case 2:" in a.text for a in after)


def test_day_bucket_chunk():
    doc = documents_from_raw(*load("slack_day.json"))[0]
    [chunk] = chunk_document(doc)
    assert chunk.metadata["date"] == "2026-11-14" and chunk.metadata["author"] == ""
    assert chunk.metadata["authors"] == "Sato Yuki, Trần Thị Mai, An"
    assert chunk.metadata["language"] == "ja"


# -- GitLab merge requests and diffs --------------------------------------------------------------------

def test_merge_request_description_is_its_own_chunk_and_discussions_follow():
    mr = documents_from_raw(*load("gitlab_merge_request.json"))[0]
    chunks = chunk_document(mr)
    assert len(chunks) == 2
    assert body(chunks[0]) == mr.parts[0].text
    assert "Could you add a test" in body(chunks[1]) and "approved this merge request" in body(chunks[1])
    assert chunks[1].metadata["url"].endswith("#note_3100005")
    assert chunks[0].metadata["state"] == "merged" and chunks[0].metadata["labels"] == "bug, backend"
    assert chunks[0].metadata["head_sha"] == "bf7af6d074610b608b069fac0e06154fdea2bca2"


def diff_documents() -> dict[str, Document]:
    return {d.metadata["new_path"]: d for d in documents_from_raw(*load("gitlab_merge_request.json"))[1:]}


def test_diff_hunks_are_grouped_up_to_the_budget_with_their_line_ranges():
    booking = diff_documents()["app/services/booking.py"]
    [chunk] = chunk_document(booking, ChunkBudget(max_tokens=600))
    assert body(chunk) == booking.text.rstrip("\n")
    md = chunk.metadata
    assert (md["new_line_start"], md["new_line_end"]) == (18, 49)
    assert (md["old_line_start"], md["old_line_end"]) == (18, 46)
    assert md["file_path"] == "app/services/booking.py" and md["parent_id"] == "gitlab:mr:11:6"
    assert md["new_file"] is False and md["deleted_file"] is False


def test_diff_chunks_split_at_hunk_headers():
    booking = diff_documents()["app/services/booking.py"]
    chunks = chunk_document(booking)  # the two hunks do not fit one default chunk together
    assert [body(c).split("\n", 1)[0] for c in chunks] == [
        "@@ -18,12 +18,14 @@ async def find_free_table(restaurant_id: int, party_size: int, starts_at: datetime) -> in",
        "@@ -40,7 +42,8 @@ async def cancel_reservation(reservation_id: int, customer_id: int) -> bool:"]
    assert [(c.metadata["new_line_start"], c.metadata["new_line_end"]) for c in chunks] == [(18, 31), (42, 49)]
    assert [(c.metadata["old_line_start"], c.metadata["old_line_end"]) for c in chunks] == [(18, 29), (40, 46)]


def test_a_hunk_longer_than_the_budget_becomes_sub_hunks_with_recomputed_headers():
    booking = diff_documents()["app/services/booking.py"]
    chunks = chunk_document(booking, ChunkBudget(max_tokens=200))
    assert [body(c).split("\n", 1)[0].split(" @@")[0] + " @@" for c in chunks] == [
        "@@ -18,4 +18,4 @@", "@@ -22,3 +22,5 @@", "@@ -25,4 +27,4 @@", "@@ -40,7 +42,8 @@"]
    assert [(c.metadata["new_line_start"], c.metadata["new_line_end"]) for c in chunks] == [
        (18, 21), (22, 26), (27, 30), (42, 49)]
    assert "+            \"SELECT id FROM tables" in body(chunks[1])


def assert_valid_hunks(chunk_body: str, old: list[str], new: list[str]) -> list:
    """Every hunk in the chunk is consistent: its header counts match its lines, and its lines are the
    files' lines at the header's positions."""
    _, hunks = parse_hunks(chunk_body)
    assert hunks
    for h in hunks:
        old_side = [ln[1:] for ln in h.lines if ln[:1] in (" ", "-")]
        new_side = [ln[1:] for ln in h.lines if ln[:1] in (" ", "+")]
        assert (len(old_side), len(new_side)) == (h.old_count, h.new_count), h.header
        old_from = h.old_start - 1 if h.old_count else h.old_start
        new_from = h.new_start - 1 if h.new_count else h.new_start
        assert old[old_from:old_from + h.old_count] == old_side, h.header
        assert new[new_from:new_from + h.new_count] == new_side, h.header
    return hunks


def random_diff(rng: random.Random) -> tuple[list[str], list[str], str]:
    old = [f"line {i} " + "x" * rng.randrange(0, 60) for i in range(rng.randrange(30, 200))]
    new = list(old)
    for _ in range(rng.randrange(1, 12)):
        at = rng.randrange(0, len(new) + 1)
        op = rng.choice(["insert", "delete", "replace"])
        if op == "insert":
            new[at:at] = [f"added {at}-{k} " + "y" * rng.randrange(0, 40) for k in range(rng.randrange(1, 25))]
        elif op == "delete":
            del new[at:at + rng.randrange(1, 15)]
        else:
            new[at:at + rng.randrange(1, 5)] = [f"changed {at} " + "z" * rng.randrange(0, 40)]
    lines = list(difflib.unified_diff(old, new, lineterm="", n=3))[2:]  # GitLab's `diff` has no ---/+++ lines
    return old, new, "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(30))
def test_oversized_hunks_become_valid_sub_hunks_with_exact_line_ranges(seed: int):
    rng = random.Random(seed)
    old, new, diff = random_diff(rng)
    doc = Document(id=f"gitlab:mr_diff:1:1:f{seed}.txt", source="gitlab", kind="mr_diff", title="f.txt", text=diff,
                   url="https://gitlab.example/g/p/-/merge_requests/1/diffs",
                   created_at=datetime(2026, 11, 1, tzinfo=UTC),
                   updated_at=datetime(2026, 11, 1, tzinfo=UTC), metadata={"file_path": "f.txt"},
                   parts=[Part(text=h.text, role="hunk", line_start=h.new_start, line_end=h.new_end)
                          for h in parse_hunks(diff)[1]])
    budget = ChunkBudget(max_tokens=rng.choice([64, 100, 180]))
    chunks = chunk_document(doc, budget)
    shown: list[str] = []
    for chunk in chunks:
        assert chunk.tokens <= budget.max_tokens
        hunks = assert_valid_hunks(body(chunk), old, new)
        shown += [ln for h in hunks for ln in h.lines]
        new_lines = [(h.new_start, h.new_end) for h in hunks]
        assert chunk.metadata["new_line_start"] == min(s for s, _ in new_lines)
        assert chunk.metadata["new_line_end"] == max(e for _, e in new_lines)
    original = [ln for h in parse_hunks(diff)[1] for ln in h.lines]
    assert shown == original  # no overlap for diffs: every line exactly once, in order
    # Each sub-hunk's header points where its first line sits in the original hunk; an empty side
    # names the line before it, as unified diff does (`-0,0` for a new file).
    where: list[tuple[int, int]] = []
    for h in parse_hunks(diff)[1]:
        o = h.old_start + (0 if h.old_count else 1)
        n = h.new_start + (0 if h.new_count else 1)
        for ln in h.lines:
            where.append((o, n))
            o += ln[:1] in (" ", "-")
            n += ln[:1] in (" ", "+")
    k = 0
    for sub in (h for c in chunks for h in parse_hunks(body(c))[1]):
        o, n = where[k]
        assert sub.old_start == (o if sub.old_count else o - 1), sub.header
        assert sub.new_start == (n if sub.new_count else n - 1), sub.header
        k += len(sub.lines)


# -- code ---------------------------------------------------------------------------------------------------

def test_a_small_file_is_one_chunk_covering_all_lines():
    doc = code_document(PY_FILE)
    [chunk] = chunk_document(doc)
    assert body(chunk) == PY_FILE.rstrip("\n")
    assert (chunk.metadata["line_start"], chunk.metadata["line_end"]) == (1, 18)
    assert chunk.metadata["file_language"] == "python"


def big_python_file() -> str:
    out = ['"""Generated module."""', "import os", ""]
    for i in range(12):
        out += ["", "", f"def handler_{i}(event, context):", f'    """Handle event kind {i}."""']
        out += [f"    value_{k} = event.get('field_{k}', {k})  # step {k}" for k in range(3 + (i % 4) * 12)]
        out += ["    return value_0"]
    out += ["", "", "class Router:", "    routes = {}"]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("max_tokens", [64, 150, 400])
def test_code_chunks_map_to_exact_file_lines(max_tokens: int):
    content = big_python_file()
    lines = content.split("\n")
    doc = code_document(content, "app/handlers.py")
    chunks = chunk_document(doc, ChunkBudget(max_tokens=max_tokens))
    covered: list[int] = []
    for chunk in chunks:
        start, end = chunk.metadata["line_start"], chunk.metadata["line_end"]
        assert body(chunk) == "\n".join(lines[start - 1:end]).rstrip()
        covered += range(start, end + 1)
    text_lines = [i + 1 for i, ln in enumerate(lines[:-1]) if ln.strip()]
    assert set(text_lines) <= set(covered)
    assert covered == sorted(covered)  # no overlap for code: each line once


def test_code_chunks_never_cut_a_section_that_fits():
    content = big_python_file()
    doc = code_document(content, "app/handlers.py")
    budget = ChunkBudget(max_tokens=400)
    chunks = chunk_document(doc, budget)
    room = budget.max_tokens - count_tokens(chunks[0].text.split("\n", 1)[0])
    ranges = [(c.metadata["line_start"], c.metadata["line_end"]) for c in chunks]
    fitting = [p for p in doc.parts if count_tokens(p.text.rstrip()) <= room]
    assert fitting and len(fitting) < len(doc.parts)  # the file has both kinds
    for part in fitting:
        assert any(s <= part.line_start and part.line_end <= e for s, e in ranges), part.line_start
    starts = {p.line_start for p in doc.parts}
    oversized = [p for p in doc.parts if p not in fitting]
    for start, _ in ranges:  # a chunk starts at a section, or inside one too long for a chunk
        assert start in starts or any(p.line_start < start <= p.line_end for p in oversized), start


def test_files_without_known_structure_are_windowed_by_lines():
    sql = "".join(f"INSERT INTO restaurants (id, name) VALUES ({i}, 'Phở Hoàn Kiếm {i}');\n"  # noqa: S608 - data
                  for i in range(200))
    lines = sql.split("\n")
    chunks = chunk_document(code_document(sql, "seed/restaurants.sql"), ChunkBudget(max_tokens=200))
    assert len(chunks) > 3
    for chunk in chunks:
        start, end = chunk.metadata["line_start"], chunk.metadata["line_end"]
        assert body(chunk) == "\n".join(lines[start - 1:end])
    assert chunks[0].metadata["line_start"] == 1 and chunks[-1].metadata["line_end"] == 200


# -- issues -------------------------------------------------------------------------------------------------

def test_backlog_issue_body_first_then_comments_windowed():
    doc = documents_from_raw(*load("backlog_issue.json"))[0]
    [whole] = chunk_document(doc, ChunkBudget(max_tokens=1000))
    assert body(whole) == doc.text
    chunks = chunk_document(doc, ChunkBudget(max_tokens=150, overlap_tokens=40))
    assert len(chunks) > 1
    assert body(chunks[0]).startswith("【予約】同じテーブルに二重予約ができてしまう (BOOK-28)")
    assert chunks[-1].metadata["url"].startswith("https://kumo.backlog.example/view/BOOK-28#comment-")
    assert all(c.metadata["status"] == "完了" and c.metadata["due_date"] == "2026-11-04" for c in chunks)
    assert all(c.metadata["milestone"] == "v2.4" for c in chunks)


def test_the_header_never_takes_more_than_half_the_budget():
    doc = documents_from_raw(*load("gitlab_merge_request.json"))[1]  # a diff: long header
    budget = ChunkBudget(max_tokens=40, header_max_tokens=40)
    chunks = chunk_document(doc, budget)
    assert all(count_tokens(c.text.split("\n", 1)[0]) <= 20 and c.tokens <= 40 for c in chunks)


def test_empty_and_partless_documents():
    doc = documents_from_raw(*load("slack_day.json"))[0]
    assert chunk_document(doc.model_copy(update={"parts": [], "text": "  "})) == []
    plain = doc.model_copy(update={"parts": [], "text": "A plain text document.\n" * 200})
    chunks = chunk_document(plain, ChunkBudget(max_tokens=100))
    assert len(chunks) > 1 and all(c.tokens <= 100 for c in chunks)
    assert all(c.metadata["language"] == "en" for c in chunks)
