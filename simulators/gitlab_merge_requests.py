"""GitLab simulator: merge requests (list with GitLab's filters, detail, changes, diffs, versions, commits)
and the web page behind an MR's web_url."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.base import Reply
from simulators.gitlab_base import GitLabBase, as_time, err, parse_time, public

SIMPLE_MR_FIELDS = ("id", "iid", "project_id", "title", "description", "state", "created_at", "updated_at", "web_url")


class MergeRequestRoutes(GitLabBase):
    async def list_merge_requests(self, request: Request, pid: str) -> Response:
        p = self.project(pid)
        return self.page(request, self.filter_mrs(request, list(p["mrs"].values())))

    async def get_merge_request(self, request: Request, pid: str, iid: int) -> Response:
        return self.json(request, self.mr_detail(self.mr(pid, iid)[1]))

    async def get_changes(self, request: Request, pid: str, iid: int) -> Response:
        _, mr = self.mr(pid, iid)
        return self.json(request, {**self.mr_detail(mr), "changes": mr["_diffs"], "overflow": False})

    async def get_diffs(self, request: Request, pid: str, iid: int) -> Response:
        return self.page(request, self.mr(pid, iid)[1]["_diffs"])

    async def get_raw_diffs(self, request: Request, pid: str, iid: int) -> Response:
        out = []
        for d in self.mr(pid, iid)[1]["_diffs"]:
            old = "/dev/null" if d["new_file"] else f"a/{d['old_path']}"
            new = "/dev/null" if d["deleted_file"] else f"b/{d['new_path']}"
            out.append(f"diff --git a/{d['old_path']} b/{d['new_path']}\n--- {old}\n+++ {new}\n{d['diff']}")
        return self.text(request, "".join(out))

    async def get_versions(self, request: Request, pid: str, iid: int) -> Response:
        return self.page(request, [self.mr(pid, iid)[1]["_version"]])

    async def get_version(self, request: Request, pid: str, iid: int, vid: int) -> Response:
        _, mr = self.mr(pid, iid)
        if vid != mr["_version"]["id"]:
            raise err(404, "404 Not found")
        return self.json(request, {**mr["_version"], "commits": mr["_commits"], "diffs": mr["_diffs"]})

    async def get_mr_commits(self, request: Request, pid: str, iid: int) -> Response:
        return self.page(request, self.mr(pid, iid)[1]["_commits"])

    async def merge_request_page(self, request: Request, ns: str, name: str, iid: int) -> Response:
        _, mr = self.mr(f"{ns}/{name}", iid)
        return self.text(request, f"<html><body><h1>!{iid} {mr['title']}</h1><pre>{mr['description']}</pre>"
                                  f"</body></html>", media_type="text/html")

    def filter_mrs(self, request: Request, mrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        q = request.query_params
        state = q.get("state", "all")
        if state not in ("opened", "closed", "merged", "locked", "all"):
            raise Reply(JSONResponse({"error": "state does not have a valid value"}, status_code=400))
        if state != "all":
            mrs = [m for m in mrs if m["state"] == state]
        for name, field, op in (("updated_after", "updated_at", "ge"), ("updated_before", "updated_at", "le"),
                                ("created_after", "created_at", "ge"), ("created_before", "created_at", "le")):
            if q.get(name):
                bound = parse_time(q[name], name)
                mrs = [m for m in mrs if (as_time(m[field]) >= bound if op == "ge" else as_time(m[field]) <= bound)]
        iids = q.getlist("iids[]") or q.getlist("iids")
        if iids:
            mrs = [m for m in mrs if str(m["iid"]) in iids]
        for name, getter in (("author_username", lambda m: m["author"]["username"]),
                             ("source_branch", lambda m: m["source_branch"]),
                             ("target_branch", lambda m: m["target_branch"])):
            if q.get(name):
                mrs = [m for m in mrs if getter(m) == q[name]]
        if q.get("labels"):
            wanted = set(q["labels"].split(","))
            mrs = [m for m in mrs if wanted <= set(m["labels"])]
        order_by = q.get("order_by", "created_at")
        if order_by not in ("created_at", "updated_at", "title", "merged_at"):
            raise Reply(JSONResponse({"error": "order_by does not have a valid value"}, status_code=400))
        sort = q.get("sort", "desc")
        if sort not in ("asc", "desc"):
            raise Reply(JSONResponse({"error": "sort does not have a valid value"}, status_code=400))
        mrs = sorted(mrs, key=lambda m: (m.get(order_by) or "", m["id"]), reverse=sort == "desc")
        if q.get("view") == "simple":
            return [{k: m[k] for k in SIMPLE_MR_FIELDS} for m in mrs]
        return [public(m) for m in mrs]

    def mr_detail(self, mr: dict[str, Any]) -> dict[str, Any]:
        v = mr["_version"]
        return {**public(mr), "subscribed": False, "changes_count": str(len(mr["_diffs"])),
                "latest_build_started_at": None, "latest_build_finished_at": None,
                "first_deployed_to_production_at": None, "pipeline": None, "head_pipeline": None,
                "diff_refs": {"base_sha": v["base_commit_sha"], "head_sha": v["head_commit_sha"],
                              "start_sha": v["start_commit_sha"]},
                "merge_error": None, "first_contribution": False, "user": {"can_merge": False},
                "diverged_commits_count": 0, "rebase_in_progress": False}
