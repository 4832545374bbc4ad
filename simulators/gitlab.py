"""GitLab REST v4 simulator: projects, merge requests (diffs, versions, commits, notes, discussions, draft
notes), issues and repository files, with GitLab's auth, pagination and error shapes."""
from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import uuid
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from demo.repository import blob_sha, file_diffs
from simulators.base import Reply, SimulatorApp, json_body, load_json
from simulators.gitlab_pagination import paginate
from simulators.gitlab_positions import position_error

API = "/api/v4"
SIMPLE_MR_FIELDS = ("id", "iid", "project_id", "title", "description", "state", "created_at", "updated_at", "web_url")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _sha1(text: str) -> str:
    """A 40-hex id as GitLab makes them (an identifier, not a security measure)."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _parse_time(value: str, name: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(value.replace(" ", "+") if "T" in value else value)
    except ValueError:
        raise Reply(JSONResponse({"error": f"{name} is invalid"}, status_code=400)) from None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _t(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def err(status: int, message: str) -> Reply:
    return Reply(JSONResponse({"message": message}, status_code=status))


class GitLabSimulator(SimulatorApp):
    service = "gitlab"

    def load(self) -> None:
        data = load_json(self.data_dir / "gitlab.json")
        self.users = data["users"]
        self.projects: dict[int, dict[str, Any]] = {}
        for raw in data["projects"]:
            p = copy.deepcopy(raw)
            p["mrs"] = {m["iid"]: m for m in p.pop("merge_requests")}
            p["issues_by_iid"] = {i["iid"]: i for i in p.pop("issues")}
            p["drafts"] = {}
            self.projects[p["project"]["id"]] = p
        self.note_ids = 9_000_001
        self.webhooks: list[dict[str, str]] = []
        self.bot = next(u for u in self.users if u["username"] == "teamlens")

    # -- contract: auth and errors --------------------------------------------------------------------
    def check_auth(self, request: Request) -> Response | None:
        if not request.url.path.startswith(API):
            return None
        token = request.headers.get("private-token") or request.query_params.get("private_token")
        auth = request.headers.get("authorization", "")
        if not token and auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        token = token or request.query_params.get("access_token")
        if token != self.settings.token:
            return JSONResponse({"message": "401 Unauthorized"}, status_code=401)
        return None

    def fault_reply(self, mode: str, request: Request) -> Response:
        if mode == "rate_limit":
            return Response("Retry later\n", status_code=429, media_type="text/plain",
                            headers={"Retry-After": str(self.faults.retry_after), "RateLimit-Limit": "600",
                                     "RateLimit-Remaining": "0", "RateLimit-Name": "throttle_authenticated_api"})
        return JSONResponse({"message": "500 Internal Server Error"}, status_code=500)

    # -- lookups ----------------------------------------------------------------------------------------
    def project(self, pid: str) -> dict[str, Any]:
        for p in self.projects.values():
            if pid == str(p["project"]["id"]) or pid == p["project"]["path_with_namespace"]:
                return p
        raise err(404, "404 Project Not Found")

    def mr(self, pid: str, iid: int) -> tuple[dict[str, Any], dict[str, Any]]:
        p = self.project(pid)
        if iid not in p["mrs"]:
            raise err(404, "404 Not found")
        return p, p["mrs"][iid]

    def next_note_id(self) -> int:
        self.note_ids += 1
        return self.note_ids

    def resolve_ref(self, p: dict[str, Any], ref: str | None) -> str:
        repo = p["repository"]
        ref = ref or p["project"]["default_branch"]
        if ref in repo["branches"]:
            return repo["branches"][ref]
        if ref == "HEAD":
            return repo["branches"][p["project"]["default_branch"]]
        matches = [sha for sha in repo["trees"] if sha.startswith(ref)] if len(ref) >= 7 else []
        if len(matches) == 1:
            return matches[0]
        raise err(404, "404 Commit Not Found")

    def page(self, request: Request, items: list[Any]) -> Response:
        chunk, headers = paginate(request, items, self.base_url(request))
        return self.json(request, chunk, headers=headers)

    # -- routes -----------------------------------------------------------------------------------------
    def routes(self) -> None:
        r = self.router
        mr_path = API + "/projects/{pid}/merge_requests/{iid:int}"

        @r.route("GET", API + "/user")
        async def current_user(request: Request) -> Response:
            return self.json(request, {**self.bot, "bot": True, "email": "teamlens@kumo.example",
                                       "is_admin": False, "created_at": "2026-01-01T00:00:00.000Z"})

        @r.route("GET", API + "/users")
        async def users(request: Request) -> Response:
            name = request.query_params.get("username")
            return self.page(request, [u for u in self.users if not name or u["username"] == name])

        @r.route("GET", API + "/projects")
        async def projects(request: Request) -> Response:
            search = (request.query_params.get("search") or "").lower()
            items = [p["project"] for p in self.projects.values()
                     if search in p["project"]["path_with_namespace"].lower()]
            return self.page(request, items)

        @r.route("GET", API + "/projects/{pid}")
        async def project(request: Request, pid: str) -> Response:
            return self.json(request, self.project(pid)["project"])

        @r.route("GET", API + "/projects/{pid}/merge_requests")
        async def list_mrs(request: Request, pid: str) -> Response:
            p = self.project(pid)
            return self.page(request, self.filter_mrs(request, list(p["mrs"].values())))

        @r.route("GET", mr_path)
        async def get_mr(request: Request, pid: str, iid: int) -> Response:
            return self.json(request, self.mr_detail(self.mr(pid, iid)[1]))

        @r.route("GET", mr_path + "/changes")
        async def changes(request: Request, pid: str, iid: int) -> Response:
            _, mr = self.mr(pid, iid)
            return self.json(request, {**self.mr_detail(mr), "changes": mr["_diffs"], "overflow": False})

        @r.route("GET", mr_path + "/diffs")
        async def diffs(request: Request, pid: str, iid: int) -> Response:
            return self.page(request, self.mr(pid, iid)[1]["_diffs"])

        @r.route("GET", mr_path + "/raw_diffs")
        async def raw_diffs(request: Request, pid: str, iid: int) -> Response:
            out = []
            for d in self.mr(pid, iid)[1]["_diffs"]:
                old = "/dev/null" if d["new_file"] else f"a/{d['old_path']}"
                new = "/dev/null" if d["deleted_file"] else f"b/{d['new_path']}"
                out.append(f"diff --git a/{d['old_path']} b/{d['new_path']}\n--- {old}\n+++ {new}\n{d['diff']}")
            return self.text(request, "".join(out))

        @r.route("GET", mr_path + "/versions")
        async def versions(request: Request, pid: str, iid: int) -> Response:
            return self.page(request, [self.mr(pid, iid)[1]["_version"]])

        @r.route("GET", mr_path + "/versions/{vid:int}")
        async def version(request: Request, pid: str, iid: int, vid: int) -> Response:
            _, mr = self.mr(pid, iid)
            if vid != mr["_version"]["id"]:
                raise err(404, "404 Not found")
            return self.json(request, {**mr["_version"], "commits": mr["_commits"], "diffs": mr["_diffs"]})

        @r.route("GET", mr_path + "/commits")
        async def mr_commits(request: Request, pid: str, iid: int) -> Response:
            return self.page(request, self.mr(pid, iid)[1]["_commits"])

        @r.route("GET", mr_path + "/notes")
        async def mr_notes(request: Request, pid: str, iid: int) -> Response:
            notes = [n for d in self.mr(pid, iid)[1]["_discussions"] for n in d["notes"]]
            return self.page(request, self.sort_notes(request, notes))

        @r.route("GET", mr_path + "/notes/{nid:int}")
        async def mr_note(request: Request, pid: str, iid: int, nid: int) -> Response:
            for d in self.mr(pid, iid)[1]["_discussions"]:
                for n in d["notes"]:
                    if n["id"] == nid:
                        return self.json(request, n)
            raise err(404, "404 Not found")

        @r.route("POST", mr_path + "/notes")
        async def post_note(request: Request, pid: str, iid: int) -> Response:
            p, mr = self.mr(pid, iid)
            body = await self.params(request)
            if not body.get("body"):
                raise Reply(JSONResponse({"error": "body is missing"}, status_code=400))
            discussion = self.add_discussion(p, mr, body["body"], None, individual=True)
            self.record("mr_note", project_id=p["project"]["id"], iid=iid, note=discussion["notes"][0])
            return self.json(request, discussion["notes"][0], status=201)

        @r.route("GET", mr_path + "/discussions")
        async def discussions(request: Request, pid: str, iid: int) -> Response:
            return self.page(request, self.mr(pid, iid)[1]["_discussions"])

        @r.route("GET", mr_path + "/discussions/{did}")
        async def discussion(request: Request, pid: str, iid: int, did: str) -> Response:
            return self.json(request, self.find_discussion(self.mr(pid, iid)[1], did))

        @r.route("POST", mr_path + "/discussions")
        async def post_discussion(request: Request, pid: str, iid: int) -> Response:
            p, mr = self.mr(pid, iid)
            body = await self.params(request)
            if not body.get("body"):
                raise Reply(JSONResponse({"error": "body is missing"}, status_code=400))
            position = body.get("position")
            if position is not None:
                problem = position_error(position, mr["_version"], mr["_diffs"])
                if problem:
                    raise err(400, problem)
            discussion = self.add_discussion(p, mr, body["body"], position)
            self.record("mr_discussion", project_id=p["project"]["id"], iid=iid, discussion=discussion)
            return self.json(request, discussion, status=201)

        @r.route("POST", mr_path + "/discussions/{did}/notes")
        async def reply(request: Request, pid: str, iid: int, did: str) -> Response:
            p, mr = self.mr(pid, iid)
            d = self.find_discussion(mr, did)
            body = await self.params(request)
            if not body.get("body"):
                raise Reply(JSONResponse({"error": "body is missing"}, status_code=400))
            note = self.make_note(p, mr, body["body"], d["notes"][0].get("position"))
            d["notes"].append(note)
            d["individual_note"] = False
            self.touch(mr)
            self.record("mr_note", project_id=p["project"]["id"], iid=iid, discussion_id=did, note=note)
            return self.json(request, note, status=201)

        @r.route("GET", mr_path + "/draft_notes")
        async def drafts(request: Request, pid: str, iid: int) -> Response:
            p, _ = self.mr(pid, iid)
            return self.json(request, list(p["drafts"].get(iid, {}).values()))

        @r.route("POST", mr_path + "/draft_notes")
        async def create_draft(request: Request, pid: str, iid: int) -> Response:
            p, mr = self.mr(pid, iid)
            body = await self.params(request)
            if not body.get("note"):
                raise Reply(JSONResponse({"error": "note is missing"}, status_code=400))
            position = body.get("position")
            if position is not None:
                problem = position_error(position, mr["_version"], mr["_diffs"])
                if problem:
                    raise err(400, problem)
            draft = {"id": self.next_note_id(), "author_id": self.bot["id"], "merge_request_id": mr["id"],
                     "resolve_discussion": bool(body.get("resolve_discussion")),
                     "discussion_id": body.get("in_reply_to_discussion_id"), "note": body["note"],
                     "commit_id": body.get("commit_id"), "line_code": None, "position": position}
            p["drafts"].setdefault(iid, {})[draft["id"]] = draft
            return self.json(request, draft, status=201)

        @r.route("GET", mr_path + "/draft_notes/{did:int}")
        async def get_draft(request: Request, pid: str, iid: int, did: int) -> Response:
            return self.json(request, self.find_draft(pid, iid, did))

        @r.route("PUT", mr_path + "/draft_notes/{did:int}")
        async def update_draft(request: Request, pid: str, iid: int, did: int) -> Response:
            draft = self.find_draft(pid, iid, did)
            body = await self.params(request)
            draft.update({k: body[k] for k in ("note", "position") if k in body})
            return self.json(request, draft)

        @r.route("DELETE", mr_path + "/draft_notes/{did:int}")
        async def delete_draft(request: Request, pid: str, iid: int, did: int) -> Response:
            self.find_draft(pid, iid, did)
            del self.project(pid)["drafts"][iid][did]
            return Response(status_code=204)

        @r.route("PUT", mr_path + "/draft_notes/{did:int}/publish")
        async def publish_draft(request: Request, pid: str, iid: int, did: int) -> Response:
            self.publish(pid, iid, [self.find_draft(pid, iid, did)])
            return Response(status_code=204)

        @r.route("POST", mr_path + "/draft_notes/bulk_publish")
        async def bulk_publish(request: Request, pid: str, iid: int) -> Response:
            p, _ = self.mr(pid, iid)
            self.publish(pid, iid, list(p["drafts"].get(iid, {}).values()))
            return Response(status_code=204)

        @r.route("GET", API + "/projects/{pid}/issues")
        async def issues(request: Request, pid: str) -> Response:
            p = self.project(pid)
            q = request.query_params
            items = list(p["issues_by_iid"].values())
            state = q.get("state", "all")
            if state in ("opened", "closed"):
                items = [i for i in items if i["state"] == state]
            for name, field, op in (("updated_after", "updated_at", "ge"), ("updated_before", "updated_at", "le"),
                                    ("created_after", "created_at", "ge"), ("created_before", "created_at", "le")):
                if q.get(name):
                    bound = _parse_time(q[name], name)
                    items = [i for i in items if (_t(i[field]) >= bound if op == "ge" else _t(i[field]) <= bound)]
            if q.get("labels"):
                wanted = set(q["labels"].split(","))
                items = [i for i in items if wanted <= set(i["labels"])]
            items.sort(key=lambda i: i[q.get("order_by", "created_at")] if q.get("order_by") in
                       ("created_at", "updated_at") else i["created_at"], reverse=q.get("sort", "desc") == "desc")
            return self.page(request, [public(i) for i in items])

        @r.route("GET", API + "/projects/{pid}/issues/{iid:int}")
        async def issue(request: Request, pid: str, iid: int) -> Response:
            return self.json(request, public(self.find_issue(pid, iid)))

        @r.route("GET", API + "/projects/{pid}/issues/{iid:int}/notes")
        async def issue_notes(request: Request, pid: str, iid: int) -> Response:
            return self.page(request, self.sort_notes(request, self.find_issue(pid, iid)["_notes"]))

        @r.route("GET", API + "/projects/{pid}/repository/files/{path}")
        async def file(request: Request, pid: str, path: str) -> Response:
            p = self.project(pid)
            ref = request.query_params.get("ref")
            if not ref:
                raise Reply(JSONResponse({"error": "ref is missing, ref is empty"}, status_code=400))
            sha, content, blob = self.read_file(p, ref, path)
            data = content.encode()
            return self.json(request, {
                "file_name": path.rsplit("/", 1)[-1], "file_path": path, "size": len(data), "encoding": "base64",
                "content_sha256": hashlib.sha256(data).hexdigest(), "ref": ref, "blob_id": blob,
                "commit_id": sha, "last_commit_id": sha, "execute_filemode": False,
                "content": base64.b64encode(data).decode()})

        @r.route("GET", API + "/projects/{pid}/repository/files/{path}/raw")
        async def raw_file(request: Request, pid: str, path: str) -> Response:
            _, content, _ = self.read_file(self.project(pid), request.query_params.get("ref"), path)
            return Response(content, media_type="text/plain; charset=utf-8")

        @r.route("GET", API + "/projects/{pid}/repository/tree")
        async def tree(request: Request, pid: str) -> Response:
            p = self.project(pid)
            sha = self.resolve_ref(p, request.query_params.get("ref"))
            prefix = (request.query_params.get("path") or "").strip("/")
            recursive = request.query_params.get("recursive") in ("true", "1")
            entries: dict[str, dict[str, Any]] = {}
            for path, blob in sorted(p["repository"]["trees"][sha].items()):
                if prefix and not path.startswith(prefix + "/"):
                    continue
                rest = path[len(prefix) + 1:] if prefix else path
                parts = rest.split("/")
                for depth in range(1, len(parts) + 1):
                    if not recursive and depth > 1:
                        break
                    sub = "/".join(parts[:depth])
                    full = f"{prefix}/{sub}" if prefix else sub
                    is_blob = depth == len(parts)
                    entries.setdefault(full, {
                        "id": blob if is_blob else _sha1(full), "name": parts[depth - 1],
                        "type": "blob" if is_blob else "tree", "path": full, "mode": "100644" if is_blob else "040000"})
            return self.page(request, sorted(entries.values(), key=lambda e: (e["type"] != "tree", e["path"])))

        @r.route("GET", API + "/projects/{pid}/repository/commits")
        async def commits(request: Request, pid: str) -> Response:
            p = self.project(pid)
            repo = p["repository"]
            log = [repo["commits"][s] for s in reversed(repo["main_log"])]
            for name, op in (("since", "ge"), ("until", "le")):
                if request.query_params.get(name):
                    bound = _parse_time(request.query_params[name], name)
                    log = [c for c in log if (_t(c["committed_date"]) >= bound if op == "ge"
                                              else _t(c["committed_date"]) <= bound)]
            return self.page(request, log)

        @r.route("GET", API + "/projects/{pid}/repository/commits/{sha}")
        async def commit(request: Request, pid: str, sha: str) -> Response:
            p = self.project(pid)
            return self.json(request, p["repository"]["commits"][self.resolve_ref(p, sha)])

        @r.route("GET", API + "/projects/{pid}/repository/compare")
        async def compare(request: Request, pid: str) -> Response:
            p = self.project(pid)
            q = request.query_params
            if not q.get("from") or not q.get("to"):
                raise Reply(JSONResponse({"error": "from is missing, to is missing"}, status_code=400))
            start, end = self.resolve_ref(p, q["from"]), self.resolve_ref(p, q["to"])
            repo = p["repository"]
            return self.json(request, {
                "commit": repo["commits"][end], "commits": self.commits_between(p, start, end),
                "diffs": file_diffs(self.tree_text(p, start), self.tree_text(p, end)),
                "compare_timeout": False, "compare_same_ref": start == end,
                "web_url": f"{p['project']['web_url']}/-/compare/{start[:8]}...{end[:8]}"})

        @r.route("GET", API + "/projects/{pid}/repository/branches")
        async def branches(request: Request, pid: str) -> Response:
            p = self.project(pid)
            repo = p["repository"]
            return self.page(request, [{"name": n, "merged": False, "protected": n == "main", "default": n == "main",
                                        "commit": repo["commits"][s], "web_url": f"{p['project']['web_url']}/-/tree/{n}"}
                                       for n, s in sorted(repo["branches"].items())])

        # Web pages behind the web_url links, so links in answers open something.
        @r.route("GET", "/{ns}/{name}/-/merge_requests/{iid:int}")
        async def mr_page(request: Request, ns: str, name: str, iid: int) -> Response:
            _, mr = self.mr(f"{ns}/{name}", iid)
            return self.text(request, f"<html><body><h1>!{iid} {mr['title']}</h1><pre>{mr['description']}</pre>"
                                      f"</body></html>", media_type="text/html")

        @r.route("POST", "/_sim/gitlab/merge_requests/{pid}/{iid:int}/touch")
        async def touch(request: Request, pid: str, iid: int) -> Response:
            """Change an MR as a person would (title, description, state) so incremental sync sees it."""
            _, mr = self.mr(pid, iid)
            body = await json_body(request)
            mr.update({k: body[k] for k in ("title", "description", "state") if k in body})
            self.touch(mr)
            return self.json(request, self.mr_detail(mr))

        @r.route("POST", "/_sim/gitlab/merge_requests/{pid}/{iid:int}/push")
        async def push(request: Request, pid: str, iid: int) -> Response:
            """Push one commit to an MR's source branch, as a developer would: {"files": {path: new text},
            "message": str}. The MR's head, commits, diffs and version follow; the reply names `oldrev`, the
            head before the push, which GitLab puts in the update webhook."""
            p, mr = self.mr(pid, iid)
            body = await json_body(request)
            files = body.get("files")
            if not isinstance(files, dict) or not files or not all(isinstance(v, str) for v in files.values()):
                raise err(400, "files must map paths to their new text")
            return self.json(request, self.push_commit(p, mr, files, str(body.get("message") or "Update")))

        @r.route("POST", "/_sim/gitlab/webhooks")
        async def add_webhook(request: Request) -> Response:
            body = await json_body(request)
            self.webhooks.append({"url": body["url"], "token": body.get("token", "")})
            return JSONResponse({"hooks": len(self.webhooks)}, status_code=201)

        @r.route("POST", "/_sim/gitlab/emit")
        async def emit(request: Request) -> Response:
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

    # -- behaviour ----------------------------------------------------------------------------------------
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
                bound = _parse_time(q[name], name)
                mrs = [m for m in mrs if (_t(m[field]) >= bound if op == "ge" else _t(m[field]) <= bound)]
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

    def sort_notes(self, request: Request, notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        order_by = request.query_params.get("order_by", "created_at")
        key = order_by if order_by in ("created_at", "updated_at") else "created_at"
        return sorted(notes, key=lambda n: (n[key], n["id"]), reverse=request.query_params.get("sort", "desc") == "desc")

    def make_note(self, p: dict[str, Any], mr: dict[str, Any], body: str, position: dict | None) -> dict[str, Any]:
        now = _now()
        note = {"id": self.next_note_id(), "type": "DiffNote" if position else "DiscussionNote", "body": body,
                "attachment": None, "author": self.bot, "created_at": now, "updated_at": now, "system": False,
                "noteable_id": mr["id"], "noteable_type": "MergeRequest", "project_id": p["project"]["id"],
                "resolvable": True, "resolved": False, "resolved_by": None, "confidential": False, "internal": False,
                "noteable_iid": mr["iid"], "commands_changes": {}}
        if position:
            note["position"] = {**{k: position.get(k) for k in ("base_sha", "start_sha", "head_sha", "old_path",
                                                                 "new_path", "position_type")},
                                "old_line": _int_or_none(position.get("old_line")),
                                "new_line": _int_or_none(position.get("new_line")),
                                "line_range": position.get("line_range")}
        return note

    def add_discussion(self, p: dict[str, Any], mr: dict[str, Any], body: str, position: dict | None,
                       individual: bool = False) -> dict[str, Any]:
        note = self.make_note(p, mr, body, position)
        if individual:
            note["type"], note["resolvable"] = None, False
        discussion = {"id": _sha1(f"sim-discussion-{note['id']}"),
                      "individual_note": individual, "notes": [note]}
        mr["_discussions"].append(discussion)
        self.touch(mr)
        return discussion

    def touch(self, mr: dict[str, Any]) -> None:
        mr["updated_at"] = _now()
        mr["user_notes_count"] = sum(len(d["notes"]) for d in mr["_discussions"])

    def tree_text(self, p: dict[str, Any], sha: str) -> dict[str, str]:
        blobs = p["repository"]["blobs"]
        return {path: blobs[b] for path, b in p["repository"]["trees"][sha].items()}

    def commits_between(self, p: dict[str, Any], start: str, end: str) -> list[dict[str, Any]]:
        """Commits reachable from `end` back to (not including) `start`, oldest first (first parents)."""
        commits, out, sha = p["repository"]["commits"], [], end
        while sha and sha != start and sha in commits:
            out.append(commits[sha])
            sha = (commits[sha]["parent_ids"] or [None])[0]
        return list(reversed(out))

    def push_commit(self, p: dict[str, Any], mr: dict[str, Any], files: dict[str, str], message: str) -> dict:
        repo, old = p["repository"], mr["sha"]
        tree = dict(repo["trees"][old])
        for path, text in files.items():
            repo["blobs"][blob_sha(text)] = text
            tree[path] = blob_sha(text)
        now = _now()
        sha = _sha1(f"{old}{message}{now}{sorted(tree.items())}")
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
                          "real_size": str(len(mr["_diffs"])), "patch_id_sha": _sha1(sha)}
        self.touch(mr)
        return {"oldrev": old, "head": sha}

    def find_discussion(self, mr: dict[str, Any], did: str) -> dict[str, Any]:
        for d in mr["_discussions"]:
            if d["id"] == did:
                return d
        raise err(404, "404 Not found")

    def find_draft(self, pid: str, iid: int, did: int) -> dict[str, Any]:
        p, _ = self.mr(pid, iid)
        draft = p["drafts"].get(iid, {}).get(did)
        if draft is None:
            raise err(404, "404 Not found")
        return draft

    def publish(self, pid: str, iid: int, drafts: list[dict[str, Any]]) -> None:
        p, mr = self.mr(pid, iid)
        for draft in drafts:
            discussion = self.add_discussion(p, mr, draft["note"], draft.get("position"))
            self.record("mr_discussion", project_id=p["project"]["id"], iid=iid, discussion=discussion,
                        from_draft=draft["id"])
            del p["drafts"][iid][draft["id"]]

    def find_issue(self, pid: str, iid: int) -> dict[str, Any]:
        issue = self.project(pid)["issues_by_iid"].get(iid)
        if issue is None:
            raise err(404, "404 Not found")
        return issue

    def read_file(self, p: dict[str, Any], ref: str | None, path: str) -> tuple[str, str, str]:
        sha = self.resolve_ref(p, ref)
        blob = p["repository"]["trees"][sha].get(path)
        if blob is None:
            raise err(404, "404 File Not Found")
        return sha, p["repository"]["blobs"][blob], blob

    def rewrite_obj(self, request: Request, obj: Any) -> Any:
        import json
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


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None
