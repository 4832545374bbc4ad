"""Slack Web API simulator: auth.test, conversations.*, users.*, chat.* with Slack's envelope ({"ok": ...}
with HTTP 200 for errors), cursor pagination, tiered rate limits (HTTP 429 + Retry-After) and faithful
edits and deletions. Admin routes under /_sim/slack act as any user to create activity."""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import time
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.base import Reply, SimulatorApp, json_body, load_json
from simulators.rate_limits import WindowLimiter

TIERS = {"auth.test": 100, "conversations.history": 50, "conversations.replies": 50, "conversations.list": 20,
         "conversations.info": 50, "users.list": 20, "users.info": 100, "chat.getPermalink": 100,
         "chat.update": 50, "chat.delete": 50, "chat.postMessage": 60}
# Commercially distributed apps outside the Marketplace: 1 request per minute, at most 15 messages a page.
RESTRICTED = {**TIERS, "conversations.history": 1, "conversations.replies": 1}
RESTRICTED_PAGE_CAP = 15
APP_ID = "A04KTEAMLNS"


def ts_value(ts: str) -> int:
    seconds, _, micro = str(ts).partition(".")
    try:
        return int(seconds) * 1_000_000 + int((micro or "0").ljust(6, "0")[:6])
    except ValueError:
        return -1


def _cursor(kind: str, value: str) -> str:
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


class SlackSimulator(SimulatorApp):
    service = "slack"

    def load(self) -> None:
        data = load_json(self.data_dir / "slack.json")
        self.team = data["team"]
        self.bot = data["bot"]
        self.users = data["users"]
        self.channels = {c["id"]: c for c in data["channels"]}
        self.messages: dict[str, list[dict[str, Any]]] = {
            self.channel_id(name): copy.deepcopy(msgs) for name, msgs in data["messages"].items()}
        self.events = self.replay_events()
        # Off by default so a full local sync is fast; SIM_SLACK_RATE_LIMITS=tiers|restricted turns Slack's on.
        self.profile = os.environ.get("SIM_SLACK_RATE_LIMITS", "off")
        self.limiter = WindowLimiter(dict({"tiers": TIERS, "restricted": RESTRICTED}.get(self.profile, {})))

    # -- contract: envelope, auth, errors -------------------------------------------------------------
    def ok(self, request: Request, body: dict[str, Any], next_cursor: str | None = None) -> Response:
        out = {"ok": True, **body}
        if next_cursor is not None:
            out["response_metadata"] = {"next_cursor": next_cursor}
        return self.json(request, out)

    @staticmethod
    def fail(error: str, **extra: Any) -> Reply:
        return Reply(JSONResponse({"ok": False, "error": error, **extra}))

    def not_found(self, request: Request) -> Response:
        return JSONResponse({"ok": False, "error": "unknown_method"}, status_code=404)

    def internal_error(self, request: Request) -> Response:
        return JSONResponse({"ok": False, "error": "internal_error"}, status_code=500)

    def fault_reply(self, mode: str, request: Request) -> Response:
        if mode == "rate_limit":
            return JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429,
                                headers={"Retry-After": str(self.faults.retry_after)})
        return JSONResponse({"ok": False, "error": "internal_error"}, status_code=500)

    async def authorized_params(self, request: Request) -> dict[str, Any]:
        params = await self.params(request)
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else params.get("token")
        if not token:
            raise self.fail("not_authed")
        if token != self.settings.token:
            raise self.fail("invalid_auth")
        return params

    def rate_limit(self, method: str, params: dict[str, Any]) -> None:
        key = method
        bucket = f"{method}:{params.get('channel', '')}" if method == "chat.postMessage" else method
        allowed, _, _, reset_in = self.limiter.hit(key, bucket)
        if not allowed:
            raise Reply(JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429,
                                     headers={"Retry-After": str(reset_in)}))

    # -- lookups ----------------------------------------------------------------------------------------
    def channel_id(self, name_or_id: str) -> str:
        key = str(name_or_id or "").lstrip("#")
        if key in self.channels:
            return key
        for c in self.channels.values():
            if c["name"] == key:
                return c["id"]
        raise self.fail("channel_not_found")

    def find(self, cid: str, ts: str) -> dict[str, Any]:
        for m in self.messages[cid]:
            if m["ts"] == ts:
                return m
        raise self.fail("message_not_found")

    def user_id(self, who: str) -> str:
        for u in self.users:
            if who in (u["id"], u["name"]) or who == u["profile"]["email"].split("@")[0]:
                return u["id"]
        raise Reply(JSONResponse({"error": f"unknown user {who}"}, status_code=400))

    @staticmethod
    def public(m: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in m.items() if not k.startswith("_")}

    def live_replies(self, cid: str, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages[cid] if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
                and "_deleted_ts" not in m]

    def shown(self, cid: str, m: dict[str, Any]) -> dict[str, Any] | None:
        """The message as the API shows it now: None when deleted, a tombstone for a deleted parent whose
        replies live on, and a parent carries its thread summary."""
        is_parent = m.get("thread_ts") == m["ts"]
        replies = self.live_replies(cid, m["ts"]) if is_parent else []
        if "_deleted_ts" in m:
            if not replies:
                return None
            out = {"type": "message", "subtype": "tombstone", "text": "This message was deleted.",
                   "user": "USLACKBOT", "hidden": True, "ts": m["ts"], "thread_ts": m["ts"]}
        else:
            out = self.public(m)
        if is_parent:
            users = list(dict.fromkeys(r["user"] for r in replies))
            out.update({"reply_count": len(replies), "reply_users": users[:5], "reply_users_count": len(users),
                        "latest_reply": replies[-1]["ts"] if replies else m["ts"], "is_locked": False,
                        "subscribed": False})
        return out

    def now_ts(self, cid: str) -> str:
        last = max((ts_value(m["ts"]) for m in self.messages[cid]), default=0)
        micro = max(int(time.time() * 1_000_000), last + 1)
        return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"

    # -- pagination -----------------------------------------------------------------------------------------
    def page_bounds(self, method: str, params: dict[str, Any]) -> int:
        try:
            limit = int(params.get("limit") or 100)
        except ValueError:
            raise self.fail("invalid_limit") from None
        limit = min(max(limit, 1), 999)
        if self.profile == "restricted" and method in ("conversations.history", "conversations.replies"):
            limit = min(limit, RESTRICTED_PAGE_CAP)
        return limit

    def decode_cursor(self, cursor: str | None, kind: str) -> str | None:
        if not cursor:
            return None
        try:
            k, _, value = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise self.fail("invalid_cursor") from None
        if k != kind or not value:
            raise self.fail("invalid_cursor")
        return value

    @staticmethod
    def time_window(params: dict[str, Any]) -> tuple[int, int | None, bool]:
        inclusive = str(params.get("inclusive", "")).lower() in ("1", "true")
        oldest = ts_value(params["oldest"]) if params.get("oldest") not in (None, "") else 0
        latest = ts_value(params["latest"]) if params.get("latest") not in (None, "") else None
        return oldest, latest, inclusive

    @staticmethod
    def in_window(ts: str, oldest: int, latest: int | None, inclusive: bool) -> bool:
        v = ts_value(ts)
        if inclusive:
            return v >= oldest and (latest is None or v <= latest)
        return v > oldest and (latest is None or v < latest)

    # -- routes -----------------------------------------------------------------------------------------
    def routes(self) -> None:
        r = self.router
        for verb in ("GET", "POST"):
            r.add(verb, "/api/{method}", self.api)
        r.add("GET", "/archives/{cid}/{p}", self.permalink_page)
        r.add("POST", "/_sim/slack/messages", self.admin_post)
        r.add("POST", "/_sim/slack/edit", self.admin_edit)
        r.add("POST", "/_sim/slack/delete", self.admin_delete)
        r.add("GET", "/_sim/slack/events", self.admin_events)
        r.add("POST", "/_sim/rate_limits", self.admin_rate_limits)
        r.add("POST", "/_sim/slack/mention", self.admin_mention)
        r.add("POST", "/_sim/slack/command", self.admin_command)

    async def api(self, request: Request, method: str) -> Response:
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            return JSONResponse({"ok": False, "error": "unknown_method"}, status_code=404)
        params = await self.authorized_params(request)
        self.rate_limit(method, params)
        return await handler(request, params)

    async def m_auth_test(self, request: Request, params: dict[str, Any]) -> Response:
        return self.ok(request, {"url": f"{self.base_url(request)}/", "team": self.team["name"],
                                 "user": self.bot["name"], "team_id": self.team["id"], "user_id": self.bot["user_id"],
                                 "bot_id": self.bot["bot_id"], "is_enterprise_install": False})

    async def m_conversations_list(self, request: Request, params: dict[str, Any]) -> Response:
        types = str(params.get("types") or "public_channel").split(",")
        items = [c for c in self.channels.values() if "public_channel" in types]
        if str(params.get("exclude_archived", "")).lower() in ("1", "true"):
            items = [c for c in items if not c["is_archived"]]
        return self.offset_page(request, params, "conversations.list", items, "channels")

    async def m_conversations_info(self, request: Request, params: dict[str, Any]) -> Response:
        return self.ok(request, {"channel": self.channels[self.channel_id(params.get("channel"))]})

    async def m_users_list(self, request: Request, params: dict[str, Any]) -> Response:
        return self.offset_page(request, params, "users.list", self.users, "members",
                                extra={"cache_ts": int(time.time())})

    async def m_users_info(self, request: Request, params: dict[str, Any]) -> Response:
        for u in self.users:
            if u["id"] == params.get("user"):
                return self.ok(request, {"user": u})
        raise self.fail("user_not_found")

    def offset_page(self, request: Request, params: dict[str, Any], method: str, items: list[dict[str, Any]],
                    key: str, extra: dict[str, Any] | None = None) -> Response:
        start = int(self.decode_cursor(params.get("cursor"), "offset") or 0)
        raw_limit = params.get("limit")
        limit = len(items) if raw_limit in (None, "", "0") else min(max(int(raw_limit), 1), 1000)
        chunk = items[start:start + limit]
        nxt = _cursor("offset", str(start + limit)) if start + limit < len(items) else ""
        return self.ok(request, {key: chunk, **(extra or {})}, next_cursor=nxt)

    async def m_conversations_history(self, request: Request, params: dict[str, Any]) -> Response:
        if not params.get("channel"):
            raise self.fail("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: channel"]})
        cid = self.channel_id(params["channel"])
        oldest, latest, inclusive = self.time_window(params)
        limit = self.page_bounds("conversations.history", params)
        start_before = self.decode_cursor(params.get("cursor"), "next_ts")
        top = []
        for m in reversed(self.messages[cid]):              # newest first
            if m.get("thread_ts") not in (None, m["ts"]) and m.get("subtype") != "thread_broadcast":
                continue
            if not self.in_window(m["ts"], oldest, latest, inclusive):
                continue
            if start_before is not None and ts_value(m["ts"]) > int(start_before):
                continue
            shown = self.shown(cid, m)
            if shown is not None:
                top.append(shown)
        page, rest = top[:limit], top[limit:]
        nxt = _cursor("next_ts", str(ts_value(rest[0]["ts"]))) if rest else ""
        return self.ok(request, {"messages": page, "has_more": bool(rest), "pin_count": 0,
                                 "channel_actions_ts": None, "channel_actions_count": 0}, next_cursor=nxt)

    async def m_conversations_replies(self, request: Request, params: dict[str, Any]) -> Response:
        if not params.get("channel") or not params.get("ts"):
            raise self.fail("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field"]})
        cid = self.channel_id(params["channel"])
        target = next((m for m in self.messages[cid] if m["ts"] == params["ts"]), None)
        if target is None:
            raise self.fail("thread_not_found")
        parent_ts = target.get("thread_ts") or target["ts"]
        parent = next(m for m in self.messages[cid] if m["ts"] == parent_ts)
        shown_parent = self.shown(cid, parent)
        if shown_parent is None:
            raise self.fail("thread_not_found")
        oldest, latest, inclusive = self.time_window(params)
        limit = self.page_bounds("conversations.replies", params)
        after = self.decode_cursor(params.get("cursor"), "next_ts")
        replies = [self.public(m) for m in self.live_replies(cid, parent_ts)
                   if self.in_window(m["ts"], oldest, latest, inclusive)]
        items = [shown_parent] + replies if after is None else [m for m in replies if ts_value(m["ts"]) >= int(after)]
        page, rest = items[:limit], items[limit:]
        nxt = _cursor("next_ts", str(ts_value(rest[0]["ts"]))) if rest else ""
        return self.ok(request, {"messages": page, "has_more": bool(rest)}, next_cursor=nxt)

    async def m_chat_postMessage(self, request: Request, params: dict[str, Any]) -> Response:
        cid = self.channel_id(params.get("channel"))
        text, blocks = params.get("text"), params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            raise self.fail("no_text")
        ts = self.now_ts(cid)
        msg: dict[str, Any] = {"type": "message", "user": self.bot["user_id"], "bot_id": self.bot["bot_id"],
                               "app_id": APP_ID, "text": text or "", "ts": ts, "team": self.team["id"],
                               "bot_profile": {"id": self.bot["bot_id"], "app_id": APP_ID, "name": self.bot["name"],
                                               "team_id": self.team["id"], "deleted": False}}
        if blocks:
            msg["blocks"] = blocks
        thread_ts = params.get("thread_ts")
        if thread_ts and any(m["ts"] == thread_ts for m in self.messages[cid]):
            target = self.find(cid, thread_ts)
            parent = self.find(cid, target.get("thread_ts") or target["ts"])   # a reply's ts means its thread
            thread_ts = parent["ts"]
            parent["thread_ts"] = parent["ts"]
            msg["thread_ts"], msg["parent_user_id"] = thread_ts, parent["user"]
            if str(params.get("reply_broadcast", "")).lower() in ("1", "true"):
                msg["subtype"] = "thread_broadcast"
        self.messages[cid].append(msg)
        self.events.append(self.message_event(cid, msg, msg["text"]))
        self.record("chat.postMessage", channel=cid, ts=ts, text=msg["text"], thread_ts=msg.get("thread_ts"),
                    blocks=blocks, metadata=params.get("metadata"))
        return self.ok(request, {"channel": cid, "ts": ts, "message": self.public(msg)})

    async def m_chat_update(self, request: Request, params: dict[str, Any]) -> Response:
        cid = self.channel_id(params.get("channel"))
        m = self.find(cid, str(params.get("ts")))
        if "_deleted_ts" in m:
            raise self.fail("message_not_found")
        if m["user"] != self.bot["user_id"]:
            raise self.fail("cant_update_message")
        self.edit(cid, m, str(params.get("text") or ""), self.bot["user_id"])
        return self.ok(request, {"channel": cid, "ts": m["ts"], "text": m["text"], "message": self.public(m)})

    async def m_chat_delete(self, request: Request, params: dict[str, Any]) -> Response:
        cid = self.channel_id(params.get("channel"))
        m = self.find(cid, str(params.get("ts")))
        if "_deleted_ts" in m:
            raise self.fail("message_not_found")
        if m["user"] != self.bot["user_id"]:
            raise self.fail("cant_delete_message")
        self.delete(cid, m)
        return self.ok(request, {"channel": cid, "ts": m["ts"]})

    async def m_chat_getPermalink(self, request: Request, params: dict[str, Any]) -> Response:
        cid = self.channel_id(params.get("channel"))
        m = self.find(cid, str(params.get("message_ts")))
        if "_deleted_ts" in m:
            raise self.fail("message_not_found")
        url = f"{self.base_url(request)}/archives/{cid}/p{m['ts'].replace('.', '')}"
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            url += f"?thread_ts={m['thread_ts']}&cid={cid}"
        return self.ok(request, {"channel": cid, "permalink": url})

    async def permalink_page(self, request: Request, cid: str, p: str) -> Response:
        if cid not in self.channels or not p.startswith("p") or len(p) < 8:
            return Response("not found", status_code=404)
        ts = f"{p[1:-6]}.{p[-6:]}"
        m = next((x for x in self.messages[cid] if x["ts"] == ts and "_deleted_ts" not in x), None)
        if m is None:
            return Response("This message was deleted or never existed.", status_code=404)
        name = next((u["real_name"] for u in self.users if u["id"] == m["user"]), m["user"])
        return self.text(request, f"<html><body><p>#{self.channels[cid]['name']} · {name}</p><pre>{m['text']}</pre>"
                                  f"</body></html>", media_type="text/html")

    # -- edits, deletions and the event log -------------------------------------------------------------
    def message_event(self, cid: str, m: dict[str, Any], text: str) -> dict[str, Any]:
        event = {"type": "message", "channel": cid, "user": m["user"], "text": text, "ts": m["ts"],
                 "event_ts": m["ts"], "channel_type": "channel"}
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            event["thread_ts"] = m["thread_ts"]
            if m.get("subtype") == "thread_broadcast":
                event["subtype"] = "thread_broadcast"
        return event

    def replay_events(self) -> list[dict[str, Any]]:
        events = []
        for cid, msgs in self.messages.items():
            for m in msgs:
                events.append(self.message_event(cid, m, m.get("_original_text", m["text"])))
                if "edited" in m:
                    previous = {**self.public(m), "text": m.get("_original_text", m["text"])}
                    previous.pop("edited", None)
                    events.append({"type": "message", "subtype": "message_changed", "hidden": True, "channel": cid,
                                   "ts": m["edited"]["ts"], "event_ts": m["edited"]["ts"],
                                   "message": self.public(m), "previous_message": previous})
                if "_deleted_ts" in m:
                    events.append({"type": "message", "subtype": "message_deleted", "hidden": True, "channel": cid,
                                   "ts": m["_deleted_ts"], "event_ts": m["_deleted_ts"], "deleted_ts": m["ts"],
                                   "previous_message": self.public(m)})
        events.sort(key=lambda e: (ts_value(e["event_ts"]), e["channel"], e.get("subtype", "")))
        return events

    def edit(self, cid: str, m: dict[str, Any], text: str, by: str) -> None:
        previous = self.public(m)
        m.setdefault("_original_text", m["text"])
        m["text"] = text
        m["edited"] = {"user": by, "ts": self.now_ts(cid)}
        self.events.append({"type": "message", "subtype": "message_changed", "hidden": True, "channel": cid,
                            "ts": m["edited"]["ts"], "event_ts": m["edited"]["ts"], "message": self.public(m),
                            "previous_message": previous})

    def delete(self, cid: str, m: dict[str, Any]) -> None:
        m["_deleted_ts"] = self.now_ts(cid)
        self.events.append({"type": "message", "subtype": "message_deleted", "hidden": True, "channel": cid,
                            "ts": m["_deleted_ts"], "event_ts": m["_deleted_ts"], "deleted_ts": m["ts"],
                            "previous_message": self.public(m)})

    async def admin_post(self, request: Request) -> Response:
        """Post as any member (e.g. a late reply to an old thread) to create activity for sync tests."""
        body = await json_body(request)
        cid = self._admin_channel(body)
        ts = self.now_ts(cid)
        msg: dict[str, Any] = {"type": "message", "user": self.user_id(body.get("user", "U04KTANAKA")),
                               "text": body.get("text", ""), "ts": ts, "team": self.team["id"]}
        if body.get("thread_ts"):
            parent = self._admin_find(cid, body["thread_ts"])
            parent["thread_ts"] = parent["ts"]
            msg["thread_ts"], msg["parent_user_id"] = parent["ts"], parent["user"]
        self.messages[cid].append(msg)
        self.events.append(self.message_event(cid, msg, msg["text"]))
        return self.json(request, {"ok": True, "channel": cid, "ts": ts, "message": self.public(msg)})

    async def admin_edit(self, request: Request) -> Response:
        body = await json_body(request)
        cid = self._admin_channel(body)
        m = self._admin_find(cid, body.get("ts", ""))
        self.edit(cid, m, body.get("text", ""), m["user"])
        return self.json(request, {"ok": True, "message": self.public(m)})

    async def admin_delete(self, request: Request) -> Response:
        body = await json_body(request)
        cid = self._admin_channel(body)
        self.delete(cid, self._admin_find(cid, body.get("ts", "")))
        return self.json(request, {"ok": True, "channel": cid, "ts": body.get("ts")})

    async def admin_events(self, request: Request) -> Response:
        q = request.query_params
        cid = self.channel_id(q["channel"]) if q.get("channel") else None
        oldest = ts_value(q["oldest"]) if q.get("oldest") else -1
        events = [e for e in self.events if (cid is None or e["channel"] == cid) and ts_value(e["event_ts"]) > oldest]
        return self.json(request, {"ok": True, "events": events})

    async def admin_rate_limits(self, request: Request) -> Response:
        """{"profile": "off" | "tiers" | "restricted"} or {"limits": {"conversations.history": 2}, "window_s": 2}."""
        body = await json_body(request)
        if "limits" in body:
            self.profile = "custom"
            self.limiter = WindowLimiter({k: int(v) for k, v in body["limits"].items()},
                                         float(body.get("window_s", 60)))
        else:
            self.profile = body.get("profile", "off")
            limits = {"off": {}, "tiers": TIERS, "restricted": RESTRICTED}.get(self.profile)
            if limits is None:
                return JSONResponse({"error": "profile must be off, tiers or restricted"}, status_code=400)
            self.limiter = WindowLimiter(dict(limits), float(body.get("window_s", 60)))
        return JSONResponse({"profile": self.profile, "limits": self.limiter.limits,
                             "window_s": self.limiter.window_s})

    async def admin_mention(self, request: Request) -> Response:
        """A member mentions the app: the message is posted, and Slack's signed `app_mention` event_callback is
        delivered to `url` (the app's Events API endpoint) with `signing_secret`. Answers with the delivery."""
        body = await json_body(request)
        cid = self._admin_channel(body)
        ts = self.now_ts(cid)
        user = self.user_id(body.get("user", "U04KTANAKA"))
        text = f"<@{self.bot['user_id']}> {body.get('text', '')}"
        msg: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.team["id"]}
        if body.get("thread_ts"):
            parent = self._admin_find(cid, body["thread_ts"])
            parent["thread_ts"] = parent["ts"]
            msg["thread_ts"], msg["parent_user_id"] = parent["ts"], parent["user"]
        self.messages[cid].append(msg)
        event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": cid, "event_ts": ts,
                 **({"thread_ts": msg["thread_ts"]} if msg.get("thread_ts") else {})}
        envelope = {"token": "deprecated-verification-token", "team_id": self.team["id"], "api_app_id": APP_ID,
                    "event": event, "type": "event_callback", "event_id": f"Ev{ts.replace('.', '')}",
                    "event_time": int(float(ts)), "authorizations": [{"user_id": self.bot["user_id"], "is_bot": True}]}
        delivery = await self.deliver(body["url"], body.get("signing_secret", ""), json.dumps(envelope).encode(),
                                      "application/json", retries=int(body.get("retries", 0)))
        return self.json(request, {"ok": True, "channel": cid, "ts": ts, "event_id": envelope["event_id"], **delivery})

    async def admin_command(self, request: Request) -> Response:
        """A member runs a slash command: the signed form post Slack sends to the command's request URL."""
        body = await json_body(request)
        cid = self._admin_channel(body)
        form = {"command": body.get("command", "/teamlens"), "text": body.get("text", ""), "channel_id": cid,
                "channel_name": self.channels[cid]["name"],
                "user_id": self.user_id(body.get("user", "U04KTANAKA")), "team_id": self.team["id"],
                "response_url": f"{str(request.base_url).rstrip('/')}/_sim/slack/response/{cid}",
                "trigger_id": "sim.trigger"}
        delivery = await self.deliver(body["url"], body.get("signing_secret", ""), urlencode(form).encode(),
                                      "application/x-www-form-urlencoded")
        return self.json(request, {"ok": True, **delivery})

    @staticmethod
    async def deliver(url: str, secret: str, payload: bytes, content_type: str, retries: int = 0) -> dict[str, Any]:
        """POST as Slack does: v0 signature over timestamp and body; a retry carries X-Slack-Retry-Num."""
        import httpx

        timestamp = str(int(time.time()))
        signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + payload, hashlib.sha256).hexdigest()
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
        out: dict[str, Any] = {}
        async with httpx.AsyncClient(timeout=10) as client:
            for attempt in range(retries + 1):
                started = time.perf_counter()
                extra = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"} if attempt else {}
                try:
                    resp = await client.post(url, content=payload, headers={**headers, **extra})
                    out = {"status": resp.status_code, "elapsed_ms": round((time.perf_counter() - started) * 1000),
                           "response": resp.text[:2000]}
                except httpx.HTTPError as exc:
                    out = {"status": None, "error": str(exc)}
        return out

    def _admin_channel(self, body: dict[str, Any]) -> str:
        try:
            return self.channel_id(body.get("channel", ""))
        except Reply:
            raise Reply(JSONResponse({"ok": False, "error": "channel_not_found"}, status_code=404)) from None

    def _admin_find(self, cid: str, ts: str) -> dict[str, Any]:
        try:
            return self.find(cid, ts)
        except Reply:
            raise Reply(JSONResponse({"ok": False, "error": "message_not_found"}, status_code=404)) from None
