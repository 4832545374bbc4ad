"""Incremental Slack sync that does not lose late replies, edits or deletions.

`conversations.history` filters on a message's own ts, so an old thread that gets a new reply never
shows up in an incremental fetch (the bug peers hit most). Each run therefore re-reads a rescan window
(default 14 days) of top-level messages: thread parents carry `reply_count`/`latest_reply`, and only
threads whose signature changed are re-fetched with `conversations.replies`. Day buckets and threads that
fall wholly inside the window are rewritten from what the API returns, so deletions disappear too.
Under a call budget (Slack's 1 request/minute tier) channels are synced least-recently-synced first and
a channel cut off mid-way keeps its old cursor, so the next run resumes it.

teamlens's own messages (its answers, reports and "busy" notices, posted as the bot `auth.test` names)
are not the team's data: they are left out of the raw data, so they are never cited back as sources.
"""
from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.sync_result import SyncResult
from teamlens.sources.slack import SlackSource

RESCAN_SECONDS = 14 * 86400
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


class BudgetExhausted(Exception):
    pass


class OwnMessages:
    """Whether a message was posted by teamlens itself (its bot user, or its bot id on an app message)."""

    def __init__(self, user_id: str | None, bot_id: str | None) -> None:
        self.user_id, self.bot_id = user_id, bot_id

    def __call__(self, message: dict[str, Any]) -> bool:
        return bool((self.user_id and message.get("user") == self.user_id)
                    or (self.bot_id and message.get("bot_id") == self.bot_id))


def sync_slack(source: SlackSource, store: RawStore, cursor: dict[str, Any], *,
               channel_names: list[str] | None = None, max_calls: int | None = None,
               rescan_seconds: int = RESCAN_SECONDS) -> SyncResult:
    identity = source.auth_test()
    team_url = identity.get("url", "")
    own = OwnMessages(identity.get("user_id"), identity.get("bot_id"))
    users = {u["id"]: u for u in source.users()}
    channels = [c for c in source.channels() if not channel_names or c["name"] in channel_names]
    states: dict[str, Any] = dict(cursor.get("channels", {}))
    channels.sort(key=lambda c: states.get(c["id"], {}).get("synced_at", 0))
    result = SyncResult(cursor={})
    for channel in channels:
        try:
            states[channel["id"]] = _sync_channel(source, store, result, channel, states.get(channel["id"], {}),
                                                  users, team_url, max_calls, rescan_seconds, own)
        except BudgetExhausted:
            result.complete = False
            result.counts["channels_deferred"] += 1
            break
        result.counts["channels_synced"] += 1
    result.cursor = {"channels": states}
    return result


def _sync_channel(source: SlackSource, store: RawStore, result: SyncResult, channel: dict, state: dict,
                  users: dict[str, dict], team_url: str, max_calls: int | None, rescan: int,
                  own: OwnMessages) -> dict:
    def spend() -> None:
        if max_calls is not None and source.calls >= max_calls:
            raise BudgetExhausted

    cid = channel["id"]
    oldest = f"{float(state['last_ts']) - rescan:.6f}" if state.get("last_ts") else None
    spend()
    messages = sorted(source.history(cid, oldest=oldest), key=lambda m: float(m["ts"]))
    old_threads: dict[str, str] = state.get("threads", {})
    threads: dict[str, str] = {}
    for parent in (m for m in messages if m.get("reply_count")):
        signature = f"{parent['reply_count']}:{parent.get('latest_reply', '')}"
        threads[parent["ts"]] = signature
        if old_threads.get(parent["ts"]) == signature:
            continue
        spend()
        replies = [m for m in source.replies(cid, parent["ts"]) if not own(m)]
        if not replies:
            continue
        result.write(store, f"raw/slack/threads/{cid}/{parent['ts']}.json",
                     _bundle(channel, replies, users, team_url), "thread")
    for ts in old_threads:
        if ts not in threads and (oldest is None or float(ts) > float(oldest)):
            result.remove(store, f"raw/slack/threads/{cid}/{ts}.json", "thread")  # parent deleted

    singles = [m for m in messages if not m.get("reply_count") and not own(m) and m.get("subtype") != "thread_broadcast"
               and not (m.get("thread_ts") and m.get("thread_ts") != m["ts"])]
    by_day: dict[str, list[dict]] = defaultdict(list)
    for m in singles:
        by_day[_day(m["ts"])].append(m)
    first_day = _day(oldest) if oldest else None
    days = set(state.get("days", []))
    for day in sorted(set(by_day) | {d for d in days if first_day is None or d >= first_day}):
        key = f"raw/slack/days/{cid}/{day}.json"
        fresh = by_day.get(day, [])
        if day == first_day and oldest:  # only partly inside the window: keep what precedes it
            kept = [m for m in (store.get_json(key) or {}).get("messages", []) if float(m["ts"]) <= float(oldest)]
            fresh = kept + fresh
        if fresh:
            result.write(store, key, {**_bundle(channel, fresh, users, team_url), "date": day}, "day")
            days.add(day)
        elif day in days:
            result.remove(store, key, "day")
            days.discard(day)

    last_ts = max([state.get("last_ts", "0"), *(m["ts"] for m in messages)], key=float)
    window_start = float(last_ts) - rescan
    return {
        "last_ts": last_ts,
        # Remember only what the next run's window can still see.
        "threads": {ts: sig for ts, sig in threads.items() if float(ts) > window_start},
        "days": sorted(d for d in days if d >= _day(f"{window_start:.6f}")),
        "synced_at": int(time.time()),
    }


def _bundle(channel: dict, messages: list[dict], users: dict[str, dict], team_url: str) -> dict:
    ids = {m.get("user") for m in messages} | {u for m in messages for u in MENTION.findall(m.get("text", ""))}
    thread_of = {m["ts"]: m.get("thread_ts") for m in messages}
    return {
        "channel": channel,
        "messages": messages,
        "users": {uid: users[uid] for uid in sorted(i for i in ids if i and i in users)},
        "permalinks": {ts: permalink(team_url, channel["id"], ts, thread_of.get(ts)) for ts in thread_of},
    }


def permalink(team_url: str, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
    """Slack's documented permalink form; built locally so it costs no API call per message."""
    link = f"{team_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


def _day(ts: str) -> str:
    return datetime.fromtimestamp(float(ts), tz=UTC).date().isoformat()
