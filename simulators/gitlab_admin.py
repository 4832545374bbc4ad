"""GitLab simulator's /_sim/gitlab routes: change or push to a merge request as a person would, register
webhooks and send merge request hooks to them."""
from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from demo.repository import blob_sha, file_diffs
from simulators.base import json_body
from simulators.gitlab_base import err, now_stamp, sha1_id
from simulators.gitlab_merge_requests import MergeRequestRoutes
from simulators.gitlab_projects import ProjectRoutes


class AdminRoutes(MergeRequestRoutes, ProjectRoutes):
    async def sim_touch(self, request: Request, pid: str, iid: int) -> Response:
        """Change an MR as a person would (title, description, state) so incremental sync sees it."""
        _, mr = self.mr(pid, iid)
        body = await json_body(request)
        mr.update({k: body[k] for k in ("title", "description", "state") if k in body})
        self.touch(mr)
        return self.json(request, self.mr_detail(mr))

    async def sim_push(self, request: Request, pid: str, iid: int) -> Response:
        """Push one commit to an MR's source branch, as a developer would: {"files": {path: new text},
        "message": str}. The MR's head, commits, diffs and version follow; the reply names `oldrev`, the
        head before the push, which GitLab puts in the update webhook."""
        p, mr = self.mr(pid, iid)
        body = await json_body(request)
        files = body.get("files")
        if not isinstance(files, dict) or not files or not all(isinstance(v, str) for v in files.values()):
            raise err(400, "files must map paths to their new text")
        return self.json(request, self.push_commit(p, mr, files, str(body.get("message") or "Update")))

    async def sim_add_webhook(self, request: Request) -> Response:
        body = await json_body(request)
        self.webhooks.append({"url": body["url"], "token": body.get("token", "")})
        return JSONResponse({"hooks": len(self.webhooks)}, status_code=201)

    async def sim_emit(self, request: Request) -> Response:
        """Send a merge-request webhook (object_kind merge_request) to every registered hook."""
        body = await json_body(request)
        p, mr = self.mr(str(body["project_id"]), int(body["iid"]))
        payload = self.rewrite_obj(request, self.mr_hook(p, mr, body.get("action", "update")))
        # GitLab sets oldrev on an update that pushed commits (the previous head).
        payload["object_attributes"]["oldrev"] = body.get("oldrev")
        results = []
        async with httpx.AsyncClient(timeout=10) as client:
            for hook in self.webhooks:
                try:
                    resp = await client.post(hook["url"], json=payload, headers={
                        "X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": hook["token"],
                        "X-Gitlab-Event-UUID": str(uuid.uuid4())})
                    results.append({"url": hook["url"], "status": resp.status_code})
                except httpx.HTTPError as exc:
                    results.append({"url": hook["url"], "error": str(exc)})
        return JSONResponse({"payload": payload, "deliveries": results})

    def push_commit(self, p: dict[str, Any], mr: dict[str, Any], files: dict[str, str], message: str) -> dict:
        repo, old = p["repository"], mr["sha"]
        tree = dict(repo["trees"][old])
        for path, text in files.items():
            repo["blobs"][blob_sha(text)] = text
            tree[path] = blob_sha(text)
        now = now_stamp()
        sha = sha1_id(f"{old}{message}{now}{sorted(tree.items())}")
        repo["trees"][sha] = tree
        repo["commits"][sha] = {**mr["_commits"][0], "id": sha, "short_id": sha[:8], "title": message.splitlines()[0],
                                "message": message + "\n", "authored_date": now, "committed_date": now,
                                "created_at": now, "parent_ids": [old],
                                "web_url": f"{p['project']['web_url']}/-/commit/{sha}"}
        repo["branches"][mr["source_branch"]] = sha
        version = mr["_version"]
        mr["sha"] = sha
        mr["_commits"].insert(0, repo["commits"][sha])
        mr["_diffs"] = file_diffs(self.tree_text(p, version["base_commit_sha"]), self.tree_text(p, sha))
        mr["_version"] = {**version, "id": version["id"] + 1, "head_commit_sha": sha, "created_at": now,
                          "real_size": str(len(mr["_diffs"])), "patch_id_sha": sha1_id(sha)}
        self.touch(mr)
        return {"oldrev": old, "head": sha}

    def rewrite_obj(self, request: Request, obj: Any) -> Any:
        return json.loads(self.rewrite(request, json.dumps(obj, ensure_ascii=False)))

    def mr_hook(self, p: dict[str, Any], mr: dict[str, Any], action: str) -> dict[str, Any]:
        project = p["project"]
        last = mr["_commits"][0]
        return {
            "object_kind": "merge_request", "event_type": "merge_request", "user": self.bot,
            "project": {"id": project["id"], "name": project["name"], "web_url": project["web_url"],
                        "path_with_namespace": project["path_with_namespace"],
                        "default_branch": project["default_branch"]},
            "object_attributes": {
                "id": mr["id"], "iid": mr["iid"], "title": mr["title"], "description": mr["description"],
                "state": mr["state"], "action": action, "source_branch": mr["source_branch"],
                "target_branch": mr["target_branch"], "source_project_id": project["id"],
                "target_project_id": project["id"], "author_id": mr["author"]["id"], "url": mr["web_url"],
                "created_at": mr["created_at"], "updated_at": mr["updated_at"], "merge_status": mr["merge_status"],
                "last_commit": {"id": last["id"], "message": last["message"], "title": last["title"],
                                "timestamp": last["committed_date"], "url": last["web_url"],
                                "author": {"name": last["author_name"], "email": last["author_email"]}},
                "oldrev": None},
            "labels": [{"title": label} for label in mr["labels"]], "changes": {},
            "repository": {"name": project["name"], "url": project["ssh_url_to_repo"],
                           "homepage": project["web_url"]},
            "reviewers": mr["reviewers"], "assignees": mr["assignees"],
        }
