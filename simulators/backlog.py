"""Backlog API v2 simulator: space, users, projects (issue types, statuses, milestones), priorities, issues
(search, count, get, create, update) and comments, with apiKey auth, Backlog's error body and
X-RateLimit-* headers on every response."""
from __future__ import annotations

import copy
import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.base import Reply, SimulatorApp, load_json
from simulators.rate_limits import WindowLimiter

API = "/api/v2"
SPACE_TZ = ZoneInfo("Asia/Tokyo")      # yyyy-MM-dd bounds are days in the space's time zone
# Requests per minute per user, by request type, as on Backlog's paid plans.
LIMITS = {"read": 600, "update": 150, "search": 150}
SORT_FIELDS = {"created": "created", "updated": "updated", "summary": "summary", "dueDate": "dueDate",
               "startDate": "startDate", "status": "status", "priority": "priority", "issueType": "issueType",
               "assignee": "assignee", "estimatedHours": "estimatedHours"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _t(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def error(status: int, message: str, code: int, more: str = "") -> Reply:
    return Reply(JSONResponse({"errors": [{"message": message, "code": code, "moreInfo": more}]}, status_code=status))


class BacklogSimulator(SimulatorApp):
    service = "backlog"

    def load(self) -> None:
        data = copy.deepcopy(load_json(self.data_dir / "backlog.json"))
        self.space = data["space"]
        self.users = data["users"]
        self.projects = data["projects"]
        self.priorities = data["priorities"]
        self.issue_types = data["issue_types"]
        self.statuses = data["statuses"]
        self.milestones = data["milestones"]
        self.issues: list[dict[str, Any]] = data["issues"]
        self.bot = next(u for u in self.users if u["userId"] == "teamlens")
        self.next_issue_id = max(i["id"] for i in self.issues) + 1
        self.next_comment_id = max((c["id"] for i in self.issues for c in i["_comments"]), default=0) + 1
        self.limiter = WindowLimiter(dict(LIMITS))

    # -- contract ------------------------------------------------------------------------------------
    def check_auth(self, request: Request) -> Response | None:
        if not request.url.path.startswith(API):
            return None
        key = request.query_params.get("apiKey")
        auth = request.headers.get("authorization", "")
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if key != self.settings.token:
            return JSONResponse({"errors": [{"message": "Authentication failure.", "code": 11, "moreInfo": ""}]},
                                status_code=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return None

    def not_found(self, request: Request) -> Response:
        return JSONResponse({"errors": [{"message": "No such resource.", "code": 6, "moreInfo": ""}]}, status_code=404)

    def internal_error(self, request: Request) -> Response:
        return JSONResponse({"errors": [{"message": "Internal error.", "code": 1, "moreInfo": ""}]}, status_code=500)

    def fault_reply(self, mode: str, request: Request) -> Response:
        if mode == "rate_limit":
            reset = int(time.time()) + self.faults.retry_after
            return JSONResponse({"errors": [{"message": "Rate limit exceeded.", "code": 13, "moreInfo": ""}]},
                                status_code=429, headers={"X-RateLimit-Limit": "0", "X-RateLimit-Remaining": "0",
                                                          "X-RateLimit-Reset": str(reset),
                                                          "Retry-After": str(self.faults.retry_after)})
        return self.internal_error(request)

    def request_type(self, request: Request) -> str:
        if request.method != "GET":
            return "update"
        return "search" if request.url.path.rstrip("/") in (f"{API}/issues", f"{API}/issues/count") else "read"

    async def handle(self, request: Request) -> Response:
        if request.url.path.startswith(API) and not request.url.path.startswith("/_sim"):
            kind = self.request_type(request)
            allowed, limit, remaining, reset_in = self.limiter.hit(kind)
            request.state.rate = (limit, remaining, int(time.time()) + reset_in)
            if not allowed:
                return JSONResponse({"errors": [{"message": "Rate limit exceeded.", "code": 13, "moreInfo": ""}]},
                                    status_code=429, headers={"X-RateLimit-Limit": str(limit),
                                                              "X-RateLimit-Remaining": "0",
                                                              "X-RateLimit-Reset": str(int(time.time()) + reset_in)})
        return await super().handle(request)

    def decorate(self, request: Request, response: Response) -> None:
        limit, remaining, reset = getattr(request.state, "rate", (0, 0, int(time.time()) + 60))
        response.headers.setdefault("X-RateLimit-Limit", str(limit))
        response.headers.setdefault("X-RateLimit-Remaining", str(remaining))
        response.headers.setdefault("X-RateLimit-Reset", str(reset))

    # -- lookups ----------------------------------------------------------------------------------------
    def project(self, id_or_key: str) -> dict[str, Any]:
        for p in self.projects:
            if id_or_key in (str(p["id"]), p["projectKey"]):
                return p
        raise error(404, "No project.", 6)

    def issue(self, id_or_key: str) -> dict[str, Any]:
        for i in self.issues:
            if id_or_key in (str(i["id"]), i["issueKey"]):
                return i
        raise error(404, "No issue.", 6)

    def user(self, user_id: Any) -> dict[str, Any]:
        for u in self.users:
            if str(u["id"]) == str(user_id):
                return u
        raise error(400, f"No user. userId={user_id}", 7)

    @staticmethod
    def public(i: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in i.items() if not k.startswith("_")}

    @staticmethod
    def int_param(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
        raw = params.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise error(400, f"Invalid {name}.", 7, f"{name} must be a number") from None

    @staticmethod
    def ids(params: dict[str, Any], name: str) -> list[str]:
        value = params.get(f"{name}[]", params.get(name))
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    @staticmethod
    def day_bound(params: dict[str, Any], name: str, end: bool) -> dt.datetime | None:
        raw = params.get(name)
        if not raw:
            return None
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise error(400, f"Invalid date format. {name}={raw}", 7, "Use yyyy-MM-dd") from None
        start = dt.datetime(day.year, day.month, day.day, tzinfo=SPACE_TZ)
        return start + dt.timedelta(days=1) if end else start

    # -- routes -----------------------------------------------------------------------------------------
    def routes(self) -> None:
        r = self.router
        r.add("GET", API + "/space", self.get_space)
        r.add("GET", API + "/users", self.get_users)
        r.add("GET", API + "/users/myself", self.get_myself)
        r.add("GET", API + "/priorities", self.get_priorities)
        r.add("GET", API + "/statuses", self.get_default_statuses)
        r.add("GET", API + "/projects", self.get_projects)
        r.add("GET", API + "/projects/{key}", self.get_project)
        r.add("GET", API + "/projects/{key}/issueTypes", self.get_issue_types)
        r.add("GET", API + "/projects/{key}/statuses", self.get_statuses)
        r.add("GET", API + "/projects/{key}/versions", self.get_milestones)
        r.add("GET", API + "/projects/{key}/users", self.get_users)
        r.add("GET", API + "/issues", self.search_issues)
        r.add("GET", API + "/issues/count", self.count_issues)
        r.add("POST", API + "/issues", self.create_issue)
        r.add("GET", API + "/issues/{key}", self.get_issue)
        r.add("PATCH", API + "/issues/{key}", self.update_issue)
        r.add("GET", API + "/issues/{key}/comments", self.get_comments)
        r.add("GET", API + "/issues/{key}/comments/count", self.count_comments)
        r.add("GET", API + "/issues/{key}/comments/{cid:int}", self.get_comment)
        r.add("POST", API + "/issues/{key}/comments", self.add_comment)
        r.add("GET", "/view/{key}", self.view_page)

    async def get_space(self, request: Request) -> Response:
        return self.json(request, self.space)

    async def get_users(self, request: Request, key: str | None = None) -> Response:
        return self.json(request, self.users)

    async def get_myself(self, request: Request) -> Response:
        return self.json(request, self.bot)

    async def get_priorities(self, request: Request) -> Response:
        return self.json(request, self.priorities)

    async def get_default_statuses(self, request: Request) -> Response:
        return self.json(request, [{k: v for k, v in s.items() if k != "projectId"}
                                   for s in next(iter(self.statuses.values()))])

    async def get_projects(self, request: Request) -> Response:
        archived = request.query_params.get("archived")
        items = [p for p in self.projects if archived is None or str(p["archived"]).lower() == archived.lower()]
        return self.json(request, items)

    async def get_project(self, request: Request, key: str) -> Response:
        return self.json(request, self.project(key))

    async def get_issue_types(self, request: Request, key: str) -> Response:
        return self.json(request, self.issue_types[self.project(key)["projectKey"]])

    async def get_statuses(self, request: Request, key: str) -> Response:
        return self.json(request, self.statuses[self.project(key)["projectKey"]])

    async def get_milestones(self, request: Request, key: str) -> Response:
        return self.json(request, self.milestones[self.project(key)["projectKey"]])

    def filtered(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        items = self.issues
        for name, getter in (("projectId", lambda i: str(i["projectId"])), ("statusId", lambda i: str(i["status"]["id"])),
                             ("issueTypeId", lambda i: str(i["issueType"]["id"])),
                             ("priorityId", lambda i: str(i["priority"]["id"])),
                             ("assigneeId", lambda i: str((i["assignee"] or {}).get("id"))),
                             ("id", lambda i: str(i["id"]))):
            wanted = self.ids(params, name)
            if wanted:
                items = [i for i in items if getter(i) in wanted]
        milestones = self.ids(params, "milestoneId")
        if milestones:
            items = [i for i in items if any(str(m["id"]) in milestones for m in i["milestone"])]
        for field in ("updated", "created"):
            since = self.day_bound(params, f"{field}Since", end=False)
            until = self.day_bound(params, f"{field}Until", end=True)
            if since:
                items = [i for i in items if _t(i[field]) >= since]
            if until:
                items = [i for i in items if _t(i[field]) < until]
        keyword = (params.get("keyword") or "").lower()
        if keyword:
            items = [i for i in items if keyword in i["summary"].lower() or keyword in (i["description"] or "").lower()
                     or keyword in i["issueKey"].lower()]
        return items

    async def search_issues(self, request: Request) -> Response:
        params = await self.params(request)
        count = self.int_param(params, "count", 20)
        if not 1 <= count <= 100:
            raise error(400, "Invalid count. count must be between 1 and 100.", 7)
        offset = self.int_param(params, "offset", 0)
        if offset < 0:
            raise error(400, "Invalid offset.", 7)
        sort = params.get("sort", "updated")
        if sort not in SORT_FIELDS:
            raise error(400, f"Invalid sort. sort={sort}", 7)
        order = params.get("order", "desc")
        if order not in ("asc", "desc"):
            raise error(400, f"Invalid order. order={order}", 7)

        def key(i: dict[str, Any]) -> tuple:
            v = i.get(SORT_FIELDS[sort])
            if isinstance(v, dict):
                v = v.get("id") if "id" in v else v.get("name")
            return (v is None, v if v is not None else 0, i["id"])

        items = sorted(self.filtered(params), key=key, reverse=order == "desc")
        return self.json(request, [self.public(i) for i in items[offset:offset + count]])

    async def count_issues(self, request: Request) -> Response:
        return self.json(request, {"count": len(self.filtered(await self.params(request)))})

    async def get_issue(self, request: Request, key: str) -> Response:
        return self.json(request, self.public(self.issue(key)))

    async def create_issue(self, request: Request) -> Response:
        params = await self.params(request)
        missing = [f for f in ("projectId", "summary", "issueTypeId", "priorityId") if not params.get(f)]
        if missing:
            raise error(400, f"Please specify {', '.join(missing)}.", 7)
        project = self.project(str(params["projectId"]))
        pkey = project["projectKey"]
        itype = next((t for t in self.issue_types[pkey] if str(t["id"]) == str(params["issueTypeId"])), None)
        if itype is None:
            raise error(400, f"No issue type. issueTypeId={params['issueTypeId']}", 7)
        priority = next((p for p in self.priorities if str(p["id"]) == str(params["priorityId"])), None)
        if priority is None:
            raise error(400, f"No priority. priorityId={params['priorityId']}", 7)
        milestones = [m for m in self.milestones[pkey] if str(m["id"]) in self.ids(params, "milestoneId")]
        key_id = max((i["keyId"] for i in self.issues if i["projectId"] == project["id"]), default=0) + 1
        now = _now()
        issue = {
            "id": self.next_issue_id, "projectId": project["id"], "issueKey": f"{pkey}-{key_id}", "keyId": key_id,
            "issueType": itype, "summary": params["summary"], "description": params.get("description", ""),
            "resolution": None, "priority": priority, "status": self.statuses[pkey][0],
            "assignee": self.user(params["assigneeId"]) if params.get("assigneeId") else None, "category": [],
            "versions": [], "milestone": milestones,
            "startDate": f"{params['startDate']}T00:00:00Z" if params.get("startDate") else None,
            "dueDate": f"{params['dueDate']}T00:00:00Z" if params.get("dueDate") else None,
            "estimatedHours": float(params["estimatedHours"]) if params.get("estimatedHours") else None,
            "actualHours": None, "parentIssueId": self.int_param(params, "parentIssueId"),
            "createdUser": self.bot, "created": now, "updatedUser": self.bot, "updated": now,
            "customFields": [], "attachments": [], "sharedFiles": [], "stars": [], "_comments": [],
        }
        self.next_issue_id += 1
        self.issues.append(issue)
        self.record("issue", issue=self.public(issue))
        return self.json(request, self.public(issue), status=201)

    async def update_issue(self, request: Request, key: str) -> Response:
        """PATCH: summary, description, statusId, assigneeId, dueDate, and an optional comment."""
        issue = self.issue(key)
        params = await self.params(request)
        pkey = issue["issueKey"].split("-")[0]
        changes = []
        if "statusId" in params:
            status = next((s for s in self.statuses[pkey] if str(s["id"]) == str(params["statusId"])), None)
            if status is None:
                raise error(400, f"No status. statusId={params['statusId']}", 7)
            changes.append(("status", issue["status"]["name"], status["name"]))
            issue["status"] = status
        for field in ("summary", "description"):
            if field in params:
                changes.append((field, issue[field], params[field]))
                issue[field] = params[field]
        if "assigneeId" in params:
            issue["assignee"] = self.user(params["assigneeId"]) if params["assigneeId"] else None
        if "dueDate" in params:
            issue["dueDate"] = f"{params['dueDate']}T00:00:00Z" if params["dueDate"] else None
        issue["updated"], issue["updatedUser"] = _now(), self.bot
        if params.get("comment") or changes:
            self.new_comment(issue, params.get("comment", ""), changes)
        self.record("issue_update", issue_key=issue["issueKey"], params=params)
        return self.json(request, self.public(issue))

    def new_comment(self, issue: dict[str, Any], content: str, changes: list[tuple[str, Any, Any]]) -> dict[str, Any]:
        now = _now()
        comment = {"id": self.next_comment_id, "content": content or None,
                   "changeLog": [{"field": f, "newValue": new, "originalValue": old, "attachmentInfo": None,
                                  "attributeInfo": None, "notificationInfo": None} for f, old, new in changes],
                   "createdUser": self.bot, "created": now, "updated": now, "stars": [], "notifications": []}
        self.next_comment_id += 1
        issue["_comments"].append(comment)
        issue["updated"], issue["updatedUser"] = now, self.bot
        return comment

    async def get_comments(self, request: Request, key: str) -> Response:
        issue = self.issue(key)
        params = await self.params(request)
        count = self.int_param(params, "count", 20)
        if not 1 <= count <= 100:
            raise error(400, "Invalid count. count must be between 1 and 100.", 7)
        order = params.get("order", "desc")
        if order not in ("asc", "desc"):
            raise error(400, f"Invalid order. order={order}", 7)
        min_id, max_id = self.int_param(params, "minId"), self.int_param(params, "maxId")
        items = [c for c in issue["_comments"] if (min_id is None or c["id"] >= min_id)
                 and (max_id is None or c["id"] <= max_id)]
        items.sort(key=lambda c: c["id"], reverse=order == "desc")
        return self.json(request, items[:count])

    async def count_comments(self, request: Request, key: str) -> Response:
        return self.json(request, {"count": len(self.issue(key)["_comments"])})

    async def get_comment(self, request: Request, key: str, cid: int) -> Response:
        for c in self.issue(key)["_comments"]:
            if c["id"] == cid:
                return self.json(request, c)
        raise error(404, "No comment.", 6)

    async def add_comment(self, request: Request, key: str) -> Response:
        issue = self.issue(key)
        params = await self.params(request)
        if not params.get("content"):
            raise error(400, "Please specify content.", 7)
        comment = self.new_comment(issue, params["content"], [])
        self.record("comment", issue_key=issue["issueKey"], comment=comment)
        return self.json(request, comment, status=201)

    async def view_page(self, request: Request, key: str) -> Response:
        try:
            issue = self.issue(key)
        except Reply:
            return Response("No such issue.", status_code=404)
        return self.text(request, f"<html><body><h1>{issue['issueKey']} {issue['summary']}</h1>"
                                  f"<pre>{issue['description']}</pre></body></html>", media_type="text/html")
