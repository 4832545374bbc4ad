"""GitLab merge requests (with per-file diffs), issues and repository files to Documents."""
from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from teamlens.ingestion.code_sections import code_sections
from teamlens.ingestion.diff_hunks import parse_hunks
from teamlens.ingestion.normalize import documents_from_raw

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> tuple[str, dict]:
    sample = json.loads((FIXTURES / name).read_text())
    return sample["key"], sample["raw"]


def mr_documents():
    key, raw = load("gitlab_merge_request.json")
    docs = documents_from_raw(key, raw)
    return docs[0], {d.metadata["new_path"]: d for d in docs[1:]}


def test_merge_request_document():
    mr, _ = mr_documents()
    assert mr.id == "gitlab:mr:11:6"
    assert (mr.source, mr.kind, mr.project) == ("gitlab", "merge_request", "kumo/booking-api")
    assert mr.title == "Fix double booking with a row lock and an exclusion constraint"
    assert mr.url == "https://gitlab.kumo.example/kumo/booking-api/-/merge_requests/6"
    assert mr.author == "Nguyễn Văn An"
    assert mr.created_at == datetime(2026, 11, 4, 5, 0, tzinfo=UTC)
    assert mr.updated_at == datetime(2026, 11, 4, 9, 5, tzinfo=UTC)
    description = mr.parts[0]
    assert description.role == "description"
    assert "(kumo/booking-api!6, merged)" in description.text
    assert "Reviewers: Sato Yuki, Phạm Thu Hà" in description.text
    assert "Labels: bug, backend" in description.text and "Milestone: v2.4" in description.text
    assert "Branch: fix/double-booking → main" in description.text
    assert "Closes BOOK-28." in description.text and "Đã test với 50 request song song." in description.text
    md = mr.metadata
    assert (md["project_id"], md["iid"], md["reference"], md["state"]) == (11, 6, "kumo/booking-api!6", "merged")
    assert md["labels"] == ["bug", "backend"]
    assert md["head_sha"] == "bf7af6d074610b608b069fac0e06154fdea2bca2"  # from the newest version
    assert md["base_sha"] == md["start_sha"] == "db2ec3c6b0181deb9248cbd5bc373bc03b882137"
    assert md["files_changed"] == 5


def test_discussions_are_in_the_merge_request_with_authors_positions_and_links():
    mr, _ = mr_documents()
    notes = mr.parts[1:]
    assert [n.role for n in notes] == ["note", "note", "note", "system"]
    assert notes[0].text == ("Phạm Thu Hà (2026-11-04 06:00): Could you add a test with two concurrent requests?")
    assert notes[1].text.startswith("Sato Yuki (2026-11-04 07:20) on migrations/0011_reservations_no_overlap.sql:2 "
                                    "[resolved]: btree_gist 拡張が必要です。")
    assert notes[2].text.startswith("  ↳ Nguyễn Văn An (2026-11-04 07:45) on migrations/")  # a reply in the thread
    assert notes[3].text == "Sato Yuki approved this merge request (2026-11-04 09:00)"
    assert notes[1].url == "https://gitlab.kumo.example/kumo/booking-api/-/merge_requests/6#note_3100006"
    assert [n.language for n in notes[:3]] == ["en", "ja", "vi"]


def test_one_diff_document_per_changed_file():
    mr, diffs = mr_documents()
    assert sorted(diffs) == ["app/legacy_lock.py", "app/services/booking.py", "app/utils/time.py",
                             "fixtures/seed_restaurants.json", "migrations/0011_reservations_no_overlap.sql"]
    booking = diffs["app/services/booking.py"]
    assert booking.id == "gitlab:mr_diff:11:6:app/services/booking.py"
    assert booking.kind == "mr_diff" and booking.parent_id == mr.id
    anchor = hashlib.sha1(b"app/services/booking.py", usedforsecurity=False).hexdigest()
    assert booking.url == mr.url + "/diffs#" + anchor
    assert (booking.author, booking.created_at, booking.project) == (mr.author, mr.created_at, mr.project)
    assert booking.metadata["head_sha"] == mr.metadata["head_sha"]
    assert booking.metadata["file_language"] == "python"


@pytest.mark.parametrize(("path", "flags"), [
    ("app/services/booking.py", (False, False, False)),
    ("migrations/0011_reservations_no_overlap.sql", (True, False, False)),
    ("app/utils/time.py", (False, True, False)),
    ("app/legacy_lock.py", (False, False, True)),
])
def test_diff_file_flags(path: str, flags: tuple[bool, bool, bool]):
    _, diffs = mr_documents()
    md = diffs[path].metadata
    assert (md["new_file"], md["renamed_file"], md["deleted_file"]) == flags
    assert md["file_path"] == md["new_path"] == path


def test_renamed_file_keeps_both_paths():
    _, diffs = mr_documents()
    renamed = diffs["app/utils/time.py"]
    assert renamed.metadata["old_path"] == "app/utils/dates.py"
    assert renamed.title == "app/utils/dates.py → app/utils/time.py"


def test_diff_parts_are_hunks_with_new_line_ranges():
    _, diffs = mr_documents()
    booking = diffs["app/services/booking.py"]
    assert [p.role for p in booking.parts] == ["hunk", "hunk"]
    assert [(p.line_start, p.line_end) for p in booking.parts] == [(18, 31), (42, 49)]
    assert booking.parts[0].text.startswith("@@ -18,12 +18,14 @@ async def find_free_table")
    assert booking.parts[1].text.startswith("@@ -40,7 +42,8 @@")
    assert "\n".join(p.text for p in booking.parts) == booking.text.rstrip("\n")
    new_file = diffs["migrations/0011_reservations_no_overlap.sql"]
    assert [(p.line_start, p.line_end) for p in new_file.parts] == [(1, 7)]
    deleted = diffs["app/legacy_lock.py"]
    assert [(p.line_start, p.line_end) for p in deleted.parts] == [(0, 0)]  # nothing left on the new side


def test_too_large_diff_still_says_the_file_changed():
    _, diffs = mr_documents()
    big = diffs["fixtures/seed_restaurants.json"]
    assert big.text == ""
    assert [p.text for p in big.parts] == ["(too large to show)"]
    assert big.metadata["too_large"] is True


def test_issue_document_with_notes():
    key, raw = load("gitlab_issue.json")
    [doc] = documents_from_raw(key, raw)
    assert doc.id == "gitlab:issue:11:3" and doc.kind == "gitlab_issue"
    assert doc.url == "https://gitlab.kumo.example/kumo/booking-api/-/issues/3"
    assert doc.author == "Sato Yuki" and doc.language == "ja"
    assert doc.parts[0].role == "body" and "(kumo/booking-api#3, closed)" in doc.parts[0].text
    assert "Due: 2026-11-08" in doc.parts[0].text
    assert "20件ちょうどのとき" in doc.parts[0].text
    assert doc.parts[1].text.startswith("Nguyễn Văn An (2026-11-06 04:00): Nguyên nhân là `rows[:limit]`")
    assert doc.parts[1].url.endswith("/issues/3#note_3100021")
    assert doc.parts[2].text == "Nguyễn Văn An closed (2026-11-07 08:30)"
    assert doc.metadata["due_date"] == "2026-11-08" and doc.metadata["state"] == "closed"
    assert doc.metadata["assignees"] == ["Nguyễn Văn An"]


PY_FILE = '''"""Booking service."""
from datetime import datetime

from app.db import transaction

LOCK_TIMEOUT = 5


class NoTableAvailable(Exception):
    pass


# Reserve under a row lock: see BOOK-28.
@traced
async def reserve_table(restaurant_id: int, party_size: int) -> int:
    async with transaction() as tx:
        return await tx.fetchval("SELECT 1 FOR UPDATE")


def _overlaps(a, b) -> bool:
    return a.start < b.end and b.start < a.end
'''


def file_raw(path: str, content: str) -> dict:
    project = json.loads((FIXTURES / "gitlab_issue.json").read_text())["raw"]["project"]
    return {"project": project, "file_path": path, "ref": "main", "content": content,
            "blob_id": "48dc6462f244954a1b2c3d4e5f60718293a4b5c6",
            "web_url": f"{project['web_url']}/-/blob/main/{path}"}


def test_code_file_document_with_sections():
    [doc] = documents_from_raw("raw/gitlab/files/11/app%2Fservices%2Fbooking.py.json",
                               file_raw("app/services/booking.py", PY_FILE))
    assert doc.id == "gitlab:code:11:app/services/booking.py" and doc.kind == "code"
    assert doc.url == "https://gitlab.kumo.example/kumo/booking-api/-/blob/main/app/services/booking.py"
    assert doc.text == PY_FILE
    assert [(p.line_start, p.line_end) for p in doc.parts] == [(1, 8), (9, 12), (13, 19), (20, 21)]
    assert doc.parts[2].text.startswith("# Reserve under a row lock: see BOOK-28.\n@traced\nasync def reserve_table")
    lines = PY_FILE.split("\n")
    for part in doc.parts:  # each section is exactly its lines of the file
        assert part.text == "\n".join(lines[part.line_start - 1:part.line_end])
    assert doc.metadata["file_language"] == "python" and doc.metadata["line_count"] == 21


def test_code_file_path_comes_from_the_key_when_missing():
    raw = file_raw("app/services/booking.py", PY_FILE)
    del raw["file_path"]
    [doc] = documents_from_raw("raw/gitlab/files/11/app%2Fservices%2Fbooking.py.json", raw)
    assert doc.metadata["file_path"] == "app/services/booking.py"


def test_empty_file_gives_no_document():
    assert documents_from_raw("raw/gitlab/files/11/empty.py.json", file_raw("empty.py", "")) == []


TS_FILE = """import { api } from "./client";

/**
 * Tables free at a time, for the calendar.
 */
export async function fetchAvailability(restaurantId: number, at: string): Promise<Table[]> {
  return api.get(`/restaurants/${restaurantId}/availability`, { at });
}

export const formatYen = (amount: number): string =>
  new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" }).format(amount);

export interface Table {
  id: number;
  seats: number;
}
"""


def test_typescript_sections_start_at_top_level_definitions_with_their_doc_comments():
    sections = code_sections("src/api/availability.ts", TS_FILE)
    assert [(s.start_line, s.end_line) for s in sections] == [(1, 2), (3, 9), (10, 12), (13, 16)]
    assert sections[1].text.startswith("/**\n * Tables free at a time")


def test_other_files_are_one_section_and_markdown_splits_at_headings():
    assert len(code_sections("migrations/0011.sql", "CREATE TABLE a ();\n\nCREATE TABLE b ();\n")) == 1
    md = "# booking-api\n\nIntro.\n\n## Run locally\n\n```bash\n# not a heading\n```\n\n## Conventions\n- x\n"
    assert [s.start_line for s in code_sections("README.md", md)] == [1, 5, 11]


def test_hunk_parser_reads_headers_without_counts():
    preamble, hunks = parse_hunks("@@ -3 +3 @@\n-a\n+b\n")
    assert preamble == "" and len(hunks) == 1
    assert (hunks[0].old_start, hunks[0].old_count, hunks[0].new_start, hunks[0].new_count) == (3, 1, 3, 1)


@pytest.mark.parametrize("name", ["gitlab_merge_request.json", "gitlab_issue.json"])
def test_normalizing_is_deterministic_and_leaves_the_input_alone(name: str):
    key, raw = load(name)
    before = copy.deepcopy(raw)
    assert [d.model_dump() for d in documents_from_raw(key, raw)] == \
        [d.model_dump() for d in documents_from_raw(key, copy.deepcopy(raw))]
    assert raw == before
