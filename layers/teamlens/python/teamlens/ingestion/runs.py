"""Ingestion runs as the API shows them: start one (a Step Functions execution whose name is the run
id) and report status and per-source counts (from the state table, reconciled with the execution)."""
from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from teamlens.ingestion.state import IngestionState

SOURCES: tuple[Literal["gitlab", "slack", "backlog"], ...] = ("gitlab", "slack", "backlog")
RUN_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,80}$")


class StartIngest(BaseModel):
    sources: list[Literal["gitlab", "slack", "backlog"]] = Field(default=list(SOURCES), min_length=1)


class SourceStatus(BaseModel):
    source: str
    status: str
    counts: dict[str, int] = {}
    error: str | None = None


class RunStatus(BaseModel):
    run_id: str
    # RUNNING | SUCCEEDED | PARTIAL | FAILED | TIMED_OUT | ABORTED. The state machine catches a failed
    # source so the others complete; its execution then "succeeds", which is not what happened: a run with
    # a failed source is PARTIAL (some sources done) or FAILED (none).
    status: str
    started_at: str | None = None
    stopped_at: str | None = None
    sources: list[SourceStatus]


class RunNotFound(LookupError):
    pass


def new_run_id(kind: str = "run") -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def is_reindex(run_id: str) -> bool:
    return run_id.startswith("reindex-")


def start_run(sfn, state_machine_arn: str, request: StartIngest, kind: str = "run") -> str:
    run_id = new_run_id(kind)
    sfn.start_execution(stateMachineArn=state_machine_arn, name=run_id,
                        input=json.dumps({"sources": sorted(set(request.sources), key=SOURCES.index)}))
    return run_id


def run_status(run_id: str, *, sfn, state_machine_arn: str, state: IngestionState) -> RunStatus:
    if not RUN_ID.match(run_id):
        raise RunNotFound(run_id)
    execution_arn = state_machine_arn.replace(":stateMachine:", ":execution:") + f":{run_id}"
    try:
        desc = sfn.describe_execution(executionArn=execution_arn)
    except sfn.exceptions.ExecutionDoesNotExist:
        return _from_records(run_id, state)
    requested = json.loads(desc.get("input") or "{}").get("sources") or list(SOURCES)
    records = {r["source"]: r for r in state.run(run_id)}
    finished = desc["status"] != "RUNNING"
    branch_errors = _branch_errors(desc.get("output"))
    sources = [_source_status(s, records.get(s), finished, branch_errors.get(s)) for s in requested]
    return RunStatus(run_id=run_id, status=overall_status(desc["status"], sources),
                     started_at=_iso(desc.get("startDate")),
                     stopped_at=_iso(desc.get("stopDate")), sources=sources)


def _from_records(run_id: str, state: IngestionState) -> RunStatus:
    """A run whose execution history is gone (a local stack restarted, or history past its retention) as
    its state records tell it: a source left mid-way reads as failed, never as still running."""
    records = state.run(run_id)
    if not records:
        raise RunNotFound(run_id)
    sources = [_source_status(r["source"], r, finished=True) for r in sorted(records, key=lambda r: r["source"])]
    return RunStatus(run_id=run_id, status=overall_status("SUCCEEDED", sources),
                     started_at=min((r.get("started_at") or "" for r in records), default=None) or None,
                     stopped_at=max((r.get("updated_at") or "" for r in records), default=None) or None,
                     sources=sources)


def overall_status(execution_status: str, sources: list[SourceStatus]) -> str:
    if execution_status != "SUCCEEDED":
        return execution_status
    failed = sum(s.status == "failed" for s in sources)
    if not failed:
        return "SUCCEEDED"
    return "FAILED" if failed == len(sources) else "PARTIAL"


def _branch_errors(output: str | None) -> dict[str, str]:
    """Errors the state machine caught per source: "<ErrorType>: <message>" (no stack traces)."""
    try:
        results = json.loads(output or "{}").get("results") or []
    except json.JSONDecodeError:
        return {}
    errors = {}
    for r in results:
        if isinstance(r, dict) and r.get("status") == "failed":
            try:
                message = json.loads(r.get("cause") or "{}").get("errorMessage", "")
            except json.JSONDecodeError:
                message = str(r.get("cause") or "")
            errors[r.get("source", "")] = f"{r.get('error')}: {message}"[:1000]
    return errors


def _source_status(source: str, record: dict[str, Any] | None, finished: bool,
                   branch_error: str | None = None) -> SourceStatus:
    if record is None:
        return SourceStatus(source=source, status="failed" if finished else "pending",
                            error=branch_error or ("the run ended before it reached this source" if finished else None))
    counts = {k: int(v) for k, v in (record.get("counts") or {}).items()}
    for k in ("changed", "deleted", "carried", "indexed_objects", "indexed_chunks", "removed_chunks", "failed_objects"):
        if k in record:
            counts[k] = int(record[k])
    status = record.get("status", "unknown")
    if branch_error:
        status = "failed"
    elif finished and status in ("fetching", "indexing"):
        status = "failed"  # the task died without recording why
    index_errors = "; ".join((record.get("index_errors") or [])[:3]) or None
    error = record.get("error") or branch_error or index_errors
    return SourceStatus(source=source, status=status, counts=counts, error=error)


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value
