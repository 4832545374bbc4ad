"""How a run's per-source status is derived from the state table and the execution's output."""
from __future__ import annotations

import json

from teamlens.ingestion.runs import _branch_errors, _source_status, new_run_id, is_reindex


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
