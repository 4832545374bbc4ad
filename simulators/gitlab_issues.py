"""GitLab simulator: project issues (GitLab's filters) and their notes."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from simulators.gitlab_base import GitLabBase, as_time, err, parse_time, public


class IssueRoutes(GitLabBase):
    async def get_issues(self, request: Request, pid: str) -> Response:
        p = self.project(pid)
        q = request.query_params
        items = list(p["issues_by_iid"].values())
        state = q.get("state", "all")
        if state in ("opened", "closed"):
            items = [i for i in items if i["state"] == state]
        for name, field, op in (("updated_after", "updated_at", "ge"), ("updated_before", "updated_at", "le"),
                                ("created_after", "created_at", "ge"), ("created_before", "created_at", "le")):
            if q.get(name):
                bound = parse_time(q[name], name)
                items = [i for i in items if (as_time(i[field]) >= bound if op == "ge" else as_time(i[field]) <= bound)]
        if q.get("labels"):
            wanted = set(q["labels"].split(","))
            items = [i for i in items if wanted <= set(i["labels"])]
        items.sort(key=lambda i: i[q.get("order_by", "created_at")] if q.get("order_by") in
                   ("created_at", "updated_at") else i["created_at"], reverse=q.get("sort", "desc") == "desc")
        return self.page(request, [public(i) for i in items])

    async def get_issue(self, request: Request, pid: str, iid: int) -> Response:
        return self.json(request, public(self.find_issue(pid, iid)))

    async def get_issue_notes(self, request: Request, pid: str, iid: int) -> Response:
        return self.page(request, self.sort_notes(request, self.find_issue(pid, iid)["_notes"]))

    def find_issue(self, pid: str, iid: int) -> dict[str, Any]:
        issue = self.project(pid)["issues_by_iid"].get(iid)
        if issue is None:
            raise err(404, "404 Not found")
        return issue
