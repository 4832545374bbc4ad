"""Slack raw objects (a thread, or a channel's day of top-level messages) as Documents.

What a message shows now is what gets indexed: the current text of an edited message, nothing of a
deleted one (a deleted thread parent whose replies live on comes back from Slack as a tombstone), and
mentions, channel links and URLs rendered the way people read them.
"""
from __future__ import annotations

import re
from typing import Any

from teamlens.documents import Document, Part
from teamlens.ingestion.normalize_common import dominant_language, first_line, from_slack_ts, minute
from teamlens.language import detect_language

# Messages that say nothing a person wrote: deletions, tombstones, joins and leaves.
SKIPPED_SUBTYPES = frozenset({"message_deleted", "tombstone", "channel_join", "channel_leave"})
_CONTROL = re.compile(r"<([^<>\n]+)>")


def display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    return (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
            or user.get("name") or user.get("id") or "")


def render_text(text: str, users: dict[str, dict[str, Any]]) -> str:
    """Slack mrkdwn as people read it: <@U1> → @Name, <#C1|dev> → #dev, <!here> → @here,
    <https://x|label> → label (https://x), and &amp; &lt; &gt; unescaped."""
    def control(m: re.Match[str]) -> str:
        target, _, label = m.group(1).partition("|")
        if target.startswith("@"):
            user = users.get(target[1:])
            return "@" + (display_name(user) if user else label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            if target.startswith("!date"):
                return label
            if label:
                return label if label.startswith("@") else "@" + label
            return "@" + target[1:].split("^")[0]
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return f"{label} ({target})" if label and label != target else target

    rendered = _CONTROL.sub(control, text)
    return rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def current_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """The message as it reads now, or None when there is nothing of it to index."""
    if message.get("subtype") == "message_changed" and isinstance(message.get("message"), dict):
        message = message["message"]
    if message.get("subtype") in SKIPPED_SUBTYPES:
        return None
    return message


def message_body(message: dict[str, Any], users: dict[str, dict[str, Any]]) -> str:
    text = message.get("text") or ""
    if not text.strip():
        text = "\n".join(a.get("fallback") or a.get("text") or "" for a in message.get("attachments") or [])
    body = render_text(text, users).strip()
    files = [name for f in message.get("files") or [] if (name := f.get("title") or f.get("name"))]
    if files:
        body = (body + "\n" if body else "") + " ".join(f"[file: {name}]" for name in files)
    return body


def author_name(message: dict[str, Any], users: dict[str, dict[str, Any]]) -> str:
    user = users.get(message.get("user") or "")
    if user:
        return display_name(user)
    bot = message.get("bot_profile") or {}
    return bot.get("name") or message.get("username") or message.get("user") or message.get("bot_id") or ""


def _edited_at(message: dict[str, Any]) -> float:
    return max(float(message["ts"]), float((message.get("edited") or {}).get("ts") or 0))


def _parts(messages: list[dict[str, Any]], raw: dict[str, Any], day: str) -> list[Part]:
    users = raw.get("users") or {}
    permalinks = raw.get("permalinks") or {}
    parts = []
    for message in messages:
        body = message_body(message, users)
        if not body:
            continue
        at = from_slack_ts(message["ts"])
        when = at.strftime("%H:%M") if at.date().isoformat() == day else minute(at)
        author = author_name(message, users)
        parts.append(Part(text=f"{author} ({when}): {body}", role="message",
                          url=permalinks.get(message["ts"], ""), author=author, at=at,
                          language=detect_language(message.get("text") or body)))
    return parts


def thread_document(channel_id: str, thread_ts: str, raw: dict[str, Any]) -> list[Document]:
    """One document per thread: the parent and its replies, oldest first."""
    channel = raw.get("channel") or {}
    live = [m for m in (current_message(m) for m in raw.get("messages") or []) if m is not None]
    live.sort(key=lambda m: float(m["ts"]))
    created = from_slack_ts(thread_ts)
    parts = _parts(live, raw, created.date().isoformat())
    if not parts:
        return []
    users = raw.get("users") or {}
    opening = next(m for m in live if message_body(m, users))  # the parent, unless it was deleted
    parent_part = parts[0] if opening["ts"] == thread_ts else None
    name = channel.get("name") or channel_id
    return [Document(
        id=f"slack:thread:{channel_id}:{thread_ts}", source="slack", kind="slack_thread",
        title=first_line(message_body(opening, users)),
        text="\n".join(p.text for p in parts),
        url=(raw.get("permalinks") or {}).get(thread_ts) or parts[0].url,
        author=parent_part.author if parent_part else "",
        created_at=created, updated_at=from_slack_ts(str(max(_edited_at(m) for m in live))),
        language=dominant_language(parts), channel=name,
        metadata={"channel_id": channel_id, "thread_ts": thread_ts, "message_count": len(parts),
                  "reply_count": len(parts) - (1 if parent_part else 0),
                  "parent_deleted": parent_part is None},
        parts=parts,
    )]


def day_document(channel_id: str, day: str, raw: dict[str, Any]) -> list[Document]:
    """One document per channel and UTC day: the top-level messages that started no thread."""
    channel = raw.get("channel") or {}
    live = [m for m in (current_message(m) for m in raw.get("messages") or []) if m is not None
            and not (m.get("thread_ts") and m["thread_ts"] != m["ts"])]  # replies live in their thread
    live.sort(key=lambda m: float(m["ts"]))
    parts = _parts(live, raw, day)
    if not parts:
        return []
    name = channel.get("name") or channel_id
    return [Document(
        id=f"slack:day:{channel_id}:{day}", source="slack", kind="slack_day",
        title=f"#{name} on {day}", text="\n".join(p.text for p in parts), url=parts[0].url,
        created_at=parts[0].at, updated_at=from_slack_ts(str(max(_edited_at(m) for m in live))),
        language=dominant_language(parts), channel=name,
        metadata={"channel_id": channel_id, "date": day, "message_count": len(parts)},
        parts=parts,
    )]
