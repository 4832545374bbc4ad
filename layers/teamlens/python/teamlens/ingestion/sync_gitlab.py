"""Incremental GitLab sync: MRs and issues updated since the per-project cursor, with their diffs,
versions, discussions and notes; plus the current content of files that merged MRs touched."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.sync_result import SyncResult
from teamlens.sources.gitlab import GitLabSource

MAX_FILE_BYTES = 200_000
SKIPPED_FILES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock", ".min.js")


def sync_gitlab(source: GitLabSource, store: RawStore, cursor: dict[str, Any],
                project_paths: list[str] | None = None) -> SyncResult:
    result = SyncResult(cursor={"projects": dict(cursor.get("projects", {}))})
    for project in source.projects(project_paths):
        pid = str(project["id"])
        state = dict(result.cursor["projects"].get(pid, {}))
        result.write(store, f"raw/gitlab/projects/{pid}.json", project, "project")

        mr_after = _parse(state.get("mr_updated_after"))
        touched: set[str] = set()
        for mr in source.merge_requests(project["id"], mr_after):
            iid = mr["iid"]
            obj = {"project": project, "merge_request": mr,
                   "diffs": source.mr_diffs(project["id"], iid),
                   "versions": source.mr_versions(project["id"], iid),
                   "discussions": source.mr_discussions(project["id"], iid)}
            result.write(store, f"raw/gitlab/merge_requests/{pid}/{iid}.json", obj, "merge_request")
            if mr.get("state") == "merged":
                touched |= {d["new_path"] for d in obj["diffs"] if not d.get("deleted_file")}
            state["mr_updated_after"] = max(state.get("mr_updated_after") or "", mr["updated_at"])

        issue_after = _parse(state.get("issue_updated_after"))
        for issue in source.issues(project["id"], issue_after):
            obj = {"project": project, "issue": issue, "notes": source.issue_notes(project["id"], issue["iid"])}
            result.write(store, f"raw/gitlab/issues/{pid}/{issue['iid']}.json", obj, "issue")
            state["issue_updated_after"] = max(state.get("issue_updated_after") or "", issue["updated_at"])

        for path in sorted(touched):
            if path.endswith(SKIPPED_FILES):
                result.counts["file_skipped"] += 1
                continue
            file = source.file(project, path, project.get("default_branch") or "main")
            key = f"raw/gitlab/files/{pid}/{quote(path, safe='')}.json"
            if file is None:  # deleted since the MR merged
                if store.get_json(key) is not None:
                    result.remove(store, key, "file")
                continue
            if len(file["content"].encode()) > MAX_FILE_BYTES:
                result.counts["file_skipped"] += 1
                continue
            result.write(store, key, {"project": project, **file}, "file")
        result.cursor["projects"][pid] = state
    return result


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
