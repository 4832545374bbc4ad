"""Fetch one source: read its cursor, write raw objects to S3, mark what changed as pending for the index,
write the run's manifest, then (and only then) advance the cursor. A failure leaves the cursor where it
was, so the next run catches up; objects an earlier run fetched but failed to index ride along in this
run's manifest (see `pending`)."""
from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from typing import Literal

from pydantic import BaseModel, Field

from teamlens.credentials import SourceCredentials, load_credentials
from teamlens.ingestion.pending import PendingIndex
from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.state import IngestionState, now_iso
from teamlens.ingestion.sync_backlog import sync_backlog
from teamlens.ingestion.sync_gitlab import sync_gitlab
from teamlens.ingestion.sync_result import SyncResult
from teamlens.ingestion.sync_slack import sync_slack
from teamlens.sources.backlog import BacklogClient
from teamlens.sources.gitlab import GitLabSource, gitlab_client
from teamlens.sources.slack import SlackSource, slack_client

Source = Literal["gitlab", "slack", "backlog"]


class FetchRequest(BaseModel):
    source: Source
    run_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")


class FetchOutcome(BaseModel):
    source: Source
    run_id: str
    status: Literal["fetched"] = "fetched"
    complete: bool
    changed: int
    deleted: int
    carried: int = 0  # objects earlier runs fetched but did not index, indexed by this run
    counts: dict[str, int]
    manifest_key: str


def _csv(name: str) -> list[str] | None:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()] or None


def _sync_gitlab(creds: SourceCredentials, store: RawStore, cursor: dict) -> SyncResult:
    return sync_gitlab(GitLabSource(gitlab_client(creds.base_url, creds.token)), store, cursor,
                       _csv("GITLAB_PROJECTS"))


def _sync_slack(creds: SourceCredentials, store: RawStore, cursor: dict) -> SyncResult:
    max_calls = int(os.environ["SLACK_MAX_CALLS"]) if os.environ.get("SLACK_MAX_CALLS") else None
    rescan_days = float(os.environ.get("SLACK_RESCAN_DAYS") or 14)
    return sync_slack(SlackSource(slack_client(creds.base_url, creds.token)), store, cursor,
                      channel_names=_csv("SLACK_CHANNELS"), max_calls=max_calls,
                      rescan_seconds=int(rescan_days * 86400))


def _sync_backlog(creds: SourceCredentials, store: RawStore, cursor: dict) -> SyncResult:
    client = BacklogClient(creds.base_url, creds.token)
    try:
        return sync_backlog(client, store, cursor, creds.base_url.rstrip("/"), _csv("BACKLOG_PROJECTS"))
    finally:
        client.close()


SYNCS: dict[str, Callable[[SourceCredentials, RawStore, dict], SyncResult]] = {
    "gitlab": _sync_gitlab, "slack": _sync_slack, "backlog": _sync_backlog,
}


def manifest_key(run_id: str, source: str) -> str:
    return f"manifests/{run_id}/{source}.json"


def fetch_source(request: FetchRequest, *, secret_arn: str, store: RawStore, state: IngestionState,
                 pending: PendingIndex) -> FetchOutcome:
    creds = load_credentials(request.source, secret_arn)
    cursor, version = state.cursor(request.source)
    started = now_iso()
    state.record_source_run(request.run_id, request.source, status="fetching", started_at=started)
    try:
        store.index_prefix(f"raw/{request.source}/")
        result = SYNCS[request.source](creds, store, cursor).settle(store)
        pending.mark(request.source, changed=result.changed, deleted=result.deleted, run_id=request.run_id)
        waiting = pending.keys(request.source)  # this run's changes and any an earlier run left unindexed
        key = manifest_key(request.run_id, request.source)
        store.put_json(key, {"source": request.source, "changed": waiting.changed, "deleted": waiting.deleted})
    except Exception as exc:
        # No write may still be running when the Lambda environment freezes; the sync's own error is the
        # one reported.
        with suppress(Exception):
            store.drain()
        state.record_source_run(request.run_id, request.source, status="failed", started_at=started,
                                finished_at=now_iso(), error=str(exc)[:1000])
        raise
    state.advance_cursor(request.source, result.cursor, version)  # after every S3 write and mark above
    carried = len(waiting.changed) + len(waiting.deleted) - len(set(result.changed) | set(result.deleted))
    outcome = FetchOutcome(source=request.source, run_id=request.run_id, complete=result.complete,
                           changed=len(result.changed), deleted=len(result.deleted), carried=max(carried, 0),
                           counts=dict(result.counts), manifest_key=key)
    state.record_source_run(request.run_id, request.source, status="fetched", started_at=started,
                            fetched_at=now_iso(), counts=outcome.counts, changed=outcome.changed,
                            deleted=outcome.deleted, carried=outcome.carried, complete=outcome.complete)
    return outcome
