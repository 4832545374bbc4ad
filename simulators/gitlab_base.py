"""What the GitLab simulator's resource modules share: the loaded state, GitLab's auth and error shapes,
project and merge request lookups, pagination, and the small value helpers."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.base import Reply, SimulatorApp, load_json
from simulators.gitlab_pagination import paginate

API = "/api/v4"


def now_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def sha1_id(text: str) -> str:
    """A 40-hex id as GitLab makes them (an identifier, not a security measure)."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def parse_time(value: str, name: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(value.replace(" ", "+") if "T" in value else value)
    except ValueError:
        raise Reply(JSONResponse({"error": f"{name} is invalid"}, status_code=400)) from None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def as_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def err(status: int, message: str) -> Reply:
    return Reply(JSONResponse({"message": message}, status_code=status))


class GitLabBase(SimulatorApp):
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

    # -- shared behaviour -------------------------------------------------------------------------------
    def page(self, request: Request, items: list[Any]) -> Response:
        chunk, headers = paginate(request, items, self.base_url(request))
        return self.json(request, chunk, headers=headers)

    def touch(self, mr: dict[str, Any]) -> None:
        mr["updated_at"] = now_stamp()
        mr["user_notes_count"] = sum(len(d["notes"]) for d in mr["_discussions"])

    def sort_notes(self, request: Request, notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Merge request and issue notes alike: order_by created_at|updated_at, sort asc|desc (default)."""
        order_by = request.query_params.get("order_by", "created_at")
        key = order_by if order_by in ("created_at", "updated_at") else "created_at"
        return sorted(notes, key=lambda n: (n[key], n["id"]), reverse=request.query_params.get("sort", "desc") == "desc")
