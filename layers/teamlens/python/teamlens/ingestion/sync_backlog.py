"""Incremental Backlog sync. `updatedSince` takes dates only, so each run re-reads the cursor's day
(one day of overlap) and skips issues whose `updated` it has already stored."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.sync_result import SyncResult
from teamlens.sources.backlog import BacklogClient


def sync_backlog(client: BacklogClient, store: RawStore, cursor: dict[str, Any], space_url: str,
                 project_keys: list[str] | None = None) -> SyncResult:
    projects = [p for p in client.projects() if not project_keys or p["projectKey"] in project_keys]
    since = date.fromisoformat(cursor["updated_since"]) - timedelta(days=1) if cursor.get("updated_since") else None
    seen: dict[str, str] = dict(cursor.get("seen", {}))
    result = SyncResult(cursor={})
    newest = cursor.get("updated_since")
    for project in projects:
        result.write(store, f"raw/backlog/projects/{project['projectKey']}.json", project, "project")
        for issue in client.issues([project["id"]], since):
            key = issue["issueKey"]
            updated = issue.get("updated") or issue["created"]
            newest = max(newest or updated[:10], updated[:10])
            if seen.get(key) == updated:
                result.counts["issue_skipped"] += 1
                continue
            comments = list(client.comments(key))
            result.write(store, f"raw/backlog/issues/{project['projectKey']}/{key}.json",
                         {"space_url": space_url, "project": project, "issue": issue, "comments": comments},
                         "issue")
            seen[key] = updated
    # Only the overlap day's issues need remembering for the next run's de-duplication.
    keep_from = (date.fromisoformat(newest) - timedelta(days=1)).isoformat() if newest else ""
    result.cursor = {"updated_since": newest, "seen": {k: v for k, v in seen.items() if v[:10] >= keep_from}}
    return result
