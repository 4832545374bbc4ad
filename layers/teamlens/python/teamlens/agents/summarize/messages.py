"""The Slack messages a summary covers, read through the Web API (channel history and thread replies)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from teamlens.agents.args import is_channel_id
from teamlens.agents.errors import AgentError, NotFound, SourceDown
from teamlens.orchestrator.references import slack_thread
from teamlens.sources import SourceError
from teamlens.sources.slack import SlackSource


@dataclass(frozen=True)
class Message:
    ts: str
    thread_ts: str | None
    user: str          # user id
    author: str        # display name
    text: str
    reply_count: int = 0

    @property
    def sent(self) -> datetime:
        return datetime.fromtimestamp(float(self.ts), UTC)


def _slack(what: str, fn):
    try:
        return fn()
    except SourceError as exc:
        if exc.status in (None, 429) or (exc.status or 0) >= 500:
            raise SourceDown(f"Slack is unavailable ({what}): {exc}") from None
        raise AgentError(f"Slack refused {what}: {exc}") from None


def find_channel(slack: SlackSource, name_or_id: str) -> dict:
    wanted = name_or_id.lstrip("#")
    channels = _slack("listing channels", slack.channels)
    for c in channels:
        if c["id"] == wanted or c.get("name") == wanted.lower():
            return c
    raise NotFound(f"Slack channel #{wanted} was not found (or teamlens is not a member of it)"
                   if not is_channel_id(wanted) else f"Slack channel {wanted} was not found")


def parse_thread(thread: str) -> tuple[str, str]:
    """(channel id, thread ts) from a permalink or `<channel id>:<ts>`."""
    if found := slack_thread(thread):
        return found
    channel, _, ts = thread.partition(":")
    if is_channel_id(channel) and ts.replace(".", "", 1).isdigit():
        return channel, ts
    raise NotFound(f"not a Slack thread: {thread!r} (give its permalink, or <channel id>:<ts>)")


def user_names(slack: SlackSource) -> dict[str, str]:
    return {u["id"]: u.get("real_name") or u.get("name") or u["id"]
            for u in _slack("listing users", slack.users)}


def _message(m: dict, names: dict[str, str]) -> Message | None:
    if m.get("subtype") in ("channel_join", "channel_leave", "message_deleted", "tombstone") or not m.get("text"):
        return None
    user = m.get("user") or m.get("bot_id") or "unknown"
    return Message(ts=m["ts"], thread_ts=m.get("thread_ts"), user=user,
                   author=names.get(user) or m.get("username") or user, text=m["text"],
                   reply_count=int(m.get("reply_count") or 0))


def channel_messages(slack: SlackSource, channel_id: str, since: datetime, until: datetime,
                     names: dict[str, str]) -> list[Message]:
    """Every message sent in [since, until), thread replies included, oldest first."""
    lo, hi = since.timestamp(), until.timestamp()
    out: dict[str, Message] = {}

    def history():
        # Threads started before the range can still have replies inside it; a day of look-back catches the
        # usual case without reading the whole channel.
        return list(slack.history(channel_id, oldest=f"{lo - 86400:.6f}", latest=f"{hi:.6f}"))

    for m in _slack(f"reading #{channel_id}", history):
        if lo <= float(m["ts"]) < hi and (msg := _message(m, names)):
            out[msg.ts] = msg
        if int(m.get("reply_count") or 0) > 0:
            for r in _slack("reading a thread", lambda ts=m["ts"]: slack.replies(channel_id, ts))[1:]:
                if lo <= float(r["ts"]) < hi and (msg := _message(r, names)):
                    out[msg.ts] = msg
    return sorted(out.values(), key=lambda x: float(x.ts))


def thread_messages(slack: SlackSource, channel_id: str, thread_ts: str, names: dict[str, str]) -> list[Message]:
    try:
        replies = slack.replies(channel_id, thread_ts)
    except SourceError as exc:
        if exc.status is not None and exc.status < 500 and exc.status != 429:
            raise NotFound(f"Slack thread {channel_id}:{thread_ts} was not found ({exc})") from None
        raise SourceDown(f"Slack is unavailable (reading a thread): {exc}") from None
    return [msg for m in replies if (msg := _message(m, names))]
