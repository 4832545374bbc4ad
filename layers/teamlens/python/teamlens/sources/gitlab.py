"""GitLab REST v4 through python-gitlab (pagination, retries on 429/5xx with Retry-After built in)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import gitlab
from gitlab.exceptions import GitlabError
from pydantic import SecretStr

from teamlens.sources import SourceError


def gitlab_client(base_url: str, token: SecretStr, *, timeout: int = 30) -> gitlab.Gitlab:
    # retry_transient_errors: python-gitlab retries 429 (honouring Retry-After) and 5xx itself, with
    # exponential backoff, up to 10 times per request.
    return gitlab.Gitlab(base_url, private_token=token.get_secret_value(), timeout=timeout,
                         retry_transient_errors=True, per_page=100)


class GitLabSource:
    def __init__(self, client: gitlab.Gitlab) -> None:
        self.gl = client

    def _guard(self, what: str, fn):
        try:
            return fn()
        except GitlabError as exc:
            raise SourceError("gitlab", f"{what}: {exc.response_code} {exc.error_message}",
                              exc.response_code) from None

    def projects(self, paths: list[str] | None = None) -> list[dict]:
        if paths:
            return [self._guard(f"project {p}", lambda p=p: self.gl.projects.get(p)).asdict() for p in paths]
        return [p.asdict() for p in self._guard("projects", lambda: self.gl.projects.list(
            membership=True, iterator=True, order_by="id", sort="asc"))]

    def merge_requests(self, project_id: int, updated_after: datetime | None) -> Iterator[dict]:
        """Every MR updated after the cursor, oldest update first, following all pages."""
        return self._updated_since(self.gl.projects.get(project_id, lazy=True).mergerequests,
                                   f"project {project_id} MRs", updated_after)

    def issues(self, project_id: int, updated_after: datetime | None) -> Iterator[dict]:
        return self._updated_since(self.gl.projects.get(project_id, lazy=True).issues,
                                   f"project {project_id} issues", updated_after)

    def _updated_since(self, manager, what: str, updated_after: datetime | None) -> Iterator[dict]:
        params = {"state": "all", "order_by": "updated_at", "sort": "asc", "iterator": True}
        if updated_after:
            params["updated_after"] = updated_after.isoformat()
        items = self._guard(what, lambda: manager.list(**params))
        while True:  # pages are fetched while iterating: errors surface here too
            item = self._guard(what, lambda: next(items, None))
            if item is None:
                return
            yield item.asdict()

    def mr_diffs(self, project_id: int, iid: int) -> list[dict]:
        """Per-file diffs (`/diffs`; `/changes` is deprecated since GitLab 15.7)."""
        path = f"/projects/{project_id}/merge_requests/{iid}/diffs"
        return list(self._guard(f"MR !{iid} diffs", lambda: self.gl.http_list(path, iterator=True)))

    def compare(self, project_id: int, start: str, end: str) -> dict:
        """What changed from `start` to `end` (`/repository/compare`): commits and per-file diffs."""
        remote = self.gl.projects.get(project_id, lazy=True)
        return self._guard(f"compare {start[:8]}...{end[:8]}", lambda: remote.repository_compare(start, end))

    def mr_versions(self, project_id: int, iid: int) -> list[dict]:
        path = f"/projects/{project_id}/merge_requests/{iid}/versions"
        return list(self._guard(f"MR !{iid} versions", lambda: self.gl.http_list(path, get_all=True)))

    def mr_discussions(self, project_id: int, iid: int) -> list[dict]:
        path = f"/projects/{project_id}/merge_requests/{iid}/discussions"
        return list(self._guard(f"MR !{iid} discussions", lambda: self.gl.http_list(path, iterator=True)))

    def issue_notes(self, project_id: int, iid: int) -> list[dict]:
        path = f"/projects/{project_id}/issues/{iid}/notes"
        return list(self._guard(f"issue #{iid} notes", lambda: self.gl.http_list(
            path, iterator=True, sort="asc", order_by="created_at")))

    def file(self, project: dict, path: str, ref: str) -> dict | None:
        """A repository file's decoded text at `ref`, or None when it does not exist there."""
        remote = self.gl.projects.get(project["id"], lazy=True)
        try:
            f = remote.files.get(file_path=path, ref=ref)
        except GitlabError as exc:
            if exc.response_code == 404:
                return None
            raise SourceError("gitlab", f"file {path}: {exc.response_code} {exc.error_message}",
                              exc.response_code) from None
        return {"file_path": path, "ref": ref, "blob_id": f.blob_id,
                "content": f.decode().decode("utf-8", errors="replace"),
                "web_url": f"{project['web_url']}/-/blob/{ref}/{path}"}
