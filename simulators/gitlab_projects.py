"""GitLab simulator: the current user, users, projects and their repositories (files, tree, commits,
compare, branches)."""
from __future__ import annotations

import base64
import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from demo.repository import file_diffs
from simulators.base import Reply
from simulators.gitlab_base import GitLabBase, as_time, err, parse_time, sha1_id


class ProjectRoutes(GitLabBase):
    async def get_current_user(self, request: Request) -> Response:
        return self.json(request, {**self.bot, "bot": True, "email": "teamlens@kumo.example",
                                   "is_admin": False, "created_at": "2026-01-01T00:00:00.000Z"})

    async def get_users(self, request: Request) -> Response:
        name = request.query_params.get("username")
        return self.page(request, [u for u in self.users if not name or u["username"] == name])

    async def get_projects(self, request: Request) -> Response:
        search = (request.query_params.get("search") or "").lower()
        items = [p["project"] for p in self.projects.values()
                 if search in p["project"]["path_with_namespace"].lower()]
        return self.page(request, items)

    async def get_project(self, request: Request, pid: str) -> Response:
        return self.json(request, self.project(pid)["project"])

    async def get_file(self, request: Request, pid: str, path: str) -> Response:
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

    async def get_raw_file(self, request: Request, pid: str, path: str) -> Response:
        _, content, _ = self.read_file(self.project(pid), request.query_params.get("ref"), path)
        return Response(content, media_type="text/plain; charset=utf-8")

    async def get_tree(self, request: Request, pid: str) -> Response:
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
                    "id": blob if is_blob else sha1_id(full), "name": parts[depth - 1],
                    "type": "blob" if is_blob else "tree", "path": full, "mode": "100644" if is_blob else "040000"})
        return self.page(request, sorted(entries.values(), key=lambda e: (e["type"] != "tree", e["path"])))

    async def get_commits(self, request: Request, pid: str) -> Response:
        p = self.project(pid)
        repo = p["repository"]
        log = [repo["commits"][s] for s in reversed(repo["main_log"])]
        for name, op in (("since", "ge"), ("until", "le")):
            if request.query_params.get(name):
                bound = parse_time(request.query_params[name], name)
                log = [c for c in log if (as_time(c["committed_date"]) >= bound if op == "ge"
                                          else as_time(c["committed_date"]) <= bound)]
        return self.page(request, log)

    async def get_commit(self, request: Request, pid: str, sha: str) -> Response:
        p = self.project(pid)
        return self.json(request, p["repository"]["commits"][self.resolve_ref(p, sha)])

    async def get_compare(self, request: Request, pid: str) -> Response:
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

    async def get_branches(self, request: Request, pid: str) -> Response:
        p = self.project(pid)
        repo = p["repository"]
        return self.page(request, [{"name": n, "merged": False, "protected": n == "main", "default": n == "main",
                                    "commit": repo["commits"][s], "web_url": f"{p['project']['web_url']}/-/tree/{n}"}
                                   for n, s in sorted(repo["branches"].items())])

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

    def read_file(self, p: dict[str, Any], ref: str | None, path: str) -> tuple[str, str, str]:
        sha = self.resolve_ref(p, ref)
        blob = p["repository"]["trees"][sha].get(path)
        if blob is None:
            raise err(404, "404 File Not Found")
        return sha, p["repository"]["blobs"][blob], blob

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
