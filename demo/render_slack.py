"""Slack side of the workspace: team, users, channels and every message ever posted.

Messages are stored as Slack returns them; deleted ones stay in the file with `_deleted_ts` so the
simulator can replay `message_deleted` events, but it never serves them from history or replies.
Edited ones carry `edited` and the text after the edit; `_original_text` keeps what was first posted.
"""
from __future__ import annotations

from typing import Any

from demo import hosts
from demo.model import Workspace
from demo.people import BOT, TEAM, Person
from demo.resolve import Resolver


def _member(p: Person, bot: bool = False) -> dict[str, Any]:
    return {
        "id": p.slack_id, "team_id": hosts.SLACK_TEAM["id"], "name": p.username, "deleted": False,
        "real_name": p.name, "tz": p.tz, "tz_label": {"Asia/Tokyo": "Japan Standard Time",
                                                     "Asia/Ho_Chi_Minh": "Indochina Time"}[p.tz],
        "tz_offset": 32400 if p.tz == "Asia/Tokyo" else 25200, "is_admin": p.key == "tanaka", "is_owner": False,
        "is_bot": bot, "is_app_user": False, "updated": 1_760_000_000,
        "profile": {"title": p.role, "real_name": p.name, "display_name": p.name if not bot else p.username,
                    "email": p.email, "image_48": f"{hosts.SLACK}/avatars/{p.slack_id}_48.png", "team": hosts.SLACK_TEAM["id"]},
    }


def _ts_value(ts: str) -> int:
    """'1730000000.000123' as an integer count of microseconds, for safe ordering."""
    seconds, _, micro = ts.partition(".")
    return int(seconds) * 1_000_000 + int(micro or 0)


def render_slack(ws: Workspace, resolver: Resolver) -> dict[str, Any]:
    messages: dict[str, list[dict[str, Any]]] = {name: [] for name in hosts.SLACK_CHANNELS}
    for thread in ws.threads:
        parent_ts = thread.messages[0].ts
        for i, msg in enumerate(thread.messages):
            p = next(x for x in (*TEAM, BOT) if x.key == msg.user)
            final = resolver.text(msg.edited_text or msg.text, context="slack")
            m: dict[str, Any] = {"type": "message", "user": p.slack_id, "text": final, "ts": msg.ts,
                                 "team": hosts.SLACK_TEAM["id"]}
            if len(thread.messages) > 1:
                m["thread_ts"] = parent_ts
                if i > 0:
                    m["parent_user_id"] = next(x for x in (*TEAM, BOT) if x.key == thread.messages[0].user).slack_id
            if msg.broadcast and i > 0:
                m["subtype"] = "thread_broadcast"
            if msg.reactions:
                m["reactions"] = [{"name": name, "users": [next(x for x in TEAM if x.key == k).slack_id for k in who],
                                   "count": len(who)} for name, who in msg.reactions]
            if msg.edited_at:
                m["edited"] = {"user": p.slack_id, "ts": f"{int(msg.edited_at.timestamp())}.000000"}
                m["_original_text"] = resolver.text(msg.text, context="slack")
            if msg.deleted_at:
                m["_deleted_ts"] = f"{int(msg.deleted_at.timestamp())}.000000"
            messages[thread.channel].append(m)
    for name in messages:
        messages[name].sort(key=lambda m: _ts_value(m["ts"]))
    first_ts = min(_ts_value(m["ts"]) for ms in messages.values() for m in ms) // 1_000_000
    channels = []
    for name, (cid, purpose) in hosts.SLACK_CHANNELS.items():
        channels.append({
            "id": cid, "name": name, "name_normalized": name, "is_channel": True, "is_group": False, "is_im": False,
            "is_mpim": False, "is_private": False, "is_archived": False, "is_general": name == "general",
            "is_shared": False, "is_ext_shared": False, "is_org_shared": False, "is_member": True,
            "created": first_ts - 86_400 * 200, "creator": TEAM[0].slack_id, "unlinked": 0,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": purpose, "creator": TEAM[0].slack_id, "last_set": first_ts - 86_400 * 200},
            "previous_names": [], "num_members": len(TEAM) + 1,
        })
    return {"team": hosts.SLACK_TEAM, "bot": {"user_id": BOT.slack_id, "bot_id": "B04KTLBOT1", "name": BOT.username},
            "users": [_member(p) for p in TEAM] + [_member(BOT, bot=True)], "channels": channels,
            "messages": messages}
