"""What a report reads from Backlog and GitLab: issues (with when each was closed) and merge requests
(with when each was first reviewed)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gitlab.exceptions import GitlabError

from teamlens.agents.errors import AgentError, NotFound, SourceDown
from teamlens.agents.report.numbers import CLOSED, closed_time, first_review_at, ts
from teamlens.sources import SourceError


@dataclass
class ReportData:
    backlog_projects: list[dict[str, Any]] = field(default_factory=list)
    issues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)        # by project key
    closed_at: dict[str, datetime | None] = field(default_factory=dict)          # by issue key
    gitlab_projects: list[dict[str, Any]] = field(default_factory=list)
    merge_requests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by project path
    first_review: dict[int, datetime | None] = field(default_factory=dict)      # by MR id


def _source_error(source: str, exc: Exception) -> AgentError:
    status = getattr(exc, "status", None) or getattr(exc, "response_code", None)
    if status is None or status == 429 or status >= 500:
        return SourceDown(f"{source} is unavailable: {exc}")
    return AgentError(f"{source} refused the request: {exc}")


def collect(backlog, gitlab, since: datetime, until: datetime, project: str | None) -> ReportData:
    data = ReportData()
    wants_backlog = project is None or "/" not in project
    wants_gitlab = project is None or "/" in project
    if wants_backlog and backlog is not None:
        try:
            _backlog(data, backlog, since, project)
        except SourceError as exc:
            raise _source_error("Backlog", exc) from None
    if wants_gitlab and gitlab is not None:
        try:
            _gitlab(data, gitlab, since, project)
        except (GitlabError, SourceError) as exc:
            raise _source_error("GitLab", exc) from None
    if project and not data.backlog_projects and not data.gitlab_projects:
        raise NotFound(f"project {project} was not found in Backlog or GitLab")
    return data


def _backlog(data: ReportData, client, since: datetime, project: str | None) -> None:
    projects = [p for p in client.projects() if project is None or p["projectKey"] == project.upper()]
    data.backlog_projects = projects
    for p in projects:
        statuses = client.request("GET", f"/projects/{p['projectKey']}/statuses")
        closed_names = {s["name"] for s in statuses if s["id"] == CLOSED}
        issues = list(client.issues([p["id"]]))
        data.issues[p["projectKey"]] = issues
        for i in issues:
            # Only an issue closed now and touched since the period began can have been closed in it.
            if i["status"]["id"] == CLOSED and (ts(i["updated"]) or since) >= since:
                data.closed_at[i["issueKey"]] = closed_time(client.comments(i["issueKey"]), closed_names)


def _gitlab(data: ReportData, source, since: datetime, project: str | None) -> None:
    try:
        projects = source.projects([project] if project else None)
    except SourceError as exc:
        if exc.status == 404:
            return  # reported as "not found" when Backlog has no such project either
        raise
    data.gitlab_projects = projects
    for p in projects:
        remote = source.gl.projects.get(p["id"], lazy=True)
        seen: dict[int, dict[str, Any]] = {}
        for mr in remote.mergerequests.list(state="opened", iterator=True):
            seen[mr.id] = mr.asdict()
        for mr in remote.mergerequests.list(state="all", updated_after=since.isoformat(), iterator=True):
            seen[mr.id] = mr.asdict()
        data.merge_requests[p["path_with_namespace"]] = list(seen.values())
        for mr in seen.values():
            if (ts(mr["updated_at"]) or since) >= since:
                notes = source.gl.http_list(f"/projects/{p['id']}/merge_requests/{mr['iid']}/notes",
                                            iterator=True, sort="asc", order_by="created_at")
                data.first_review[mr["id"]] = first_review_at(mr, notes)
