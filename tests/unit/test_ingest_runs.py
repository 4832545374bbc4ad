"""How a run's per-source status is derived from the state table and the execution's output."""
from __future__ import annotations

import json

import pytest

from teamlens.ingestion.runs import (
    SourceStatus,
    _branch_errors,
    _source_status,
    is_reindex,
    new_run_id,
    overall_status,
)


def test_branch_errors_name_type_and_message_without_stack():
    output = json.dumps({"results": [
        {"source": "gitlab", "status": "succeeded"},
        {"source": "backlog", "status": "failed", "error": "SourceError",
         "cause": json.dumps({"errorMessage": "backlog: GET /issues: HTTP 503", "stackTrace": ["  File x"]})},
    ]})
    assert _branch_errors(output) == {"backlog": "SourceError: backlog: GET /issues: HTTP 503"}
    assert _branch_errors(None) == {} and _branch_errors("not json") == {}


def test_status_prefers_the_recorded_error_then_the_branch_error():
    rec = {"source": "slack", "status": "indexing", "changed": 3, "indexed_chunks": 7}
    assert _source_status("slack", rec, finished=False).status == "indexing"
    died = _source_status("slack", rec, finished=True)
    assert died.status == "failed" and died.counts == {"changed": 3, "indexed_chunks": 7}
    caught = _source_status("slack", rec, finished=True, branch_error="NotFoundError: gone")
    assert caught.status == "failed" and caught.error == "NotFoundError: gone"
    recorded = _source_status("slack", {**rec, "status": "failed", "error": "slack: invalid_auth"}, True, "X: y")
    assert recorded.error == "slack: invalid_auth"


def test_missing_record_is_pending_while_running_and_failed_after():
    assert _source_status("gitlab", None, finished=False).status == "pending"
    gone = _source_status("gitlab", None, finished=True)
    assert gone.status == "failed" and "ended before" in gone.error


def test_run_ids_say_their_kind():
    assert is_reindex(new_run_id("reindex")) and not is_reindex(new_run_id())


def test_a_run_with_a_failed_source_is_partial_or_failed_never_succeeded():
    ok, bad = SourceStatus(source="gitlab", status="indexed"), SourceStatus(source="slack", status="failed")
    assert overall_status("SUCCEEDED", [ok, ok]) == "SUCCEEDED"
    assert overall_status("SUCCEEDED", [ok, bad]) == "PARTIAL"
    assert overall_status("SUCCEEDED", [bad]) == "FAILED"
    assert overall_status("RUNNING", [bad]) == "RUNNING"
    assert overall_status("TIMED_OUT", [ok]) == "TIMED_OUT"


class RecordedRuns:
    """The state table's records of one run (what `IngestionState.run` returns)."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records

    def run(self, run_id: str) -> list[dict]:
        return self.records


def test_a_run_whose_execution_is_gone_reads_from_its_records():
    from teamlens.ingestion.runs import RunNotFound, _from_records

    status = _from_records("run-1", RecordedRuns([
        {"source": "slack", "status": "indexed", "started_at": "2026-12-01T00:00:01", "changed": 3},
        {"source": "gitlab", "status": "indexing", "started_at": "2026-12-01T00:00:00"}]))
    assert status.status == "PARTIAL" and status.started_at == "2026-12-01T00:00:00"
    assert {s.source: s.status for s in status.sources} == {"gitlab": "failed", "slack": "indexed"}
    with pytest.raises(RunNotFound):
        _from_records("run-2", RecordedRuns([]))
