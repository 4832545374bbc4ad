"""Reading Slack events and GitLab merge request hooks, and shaping replies (pure)."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import BaseModel

_MENTION = re.compile(r"<@[A-Z0-9]+>\s*")


class SlackAsk(BaseModel):
    """A question to answer in Slack: where to reply and what was asked."""
    channel: str
    thread_ts: str | None
    text: str
    user: str | None = None


def mention_to_ask(event: dict[str, Any]) -> SlackAsk | None:
    """An `app_mention` (not from a bot: our own replies must never trigger us) as a question."""
    if event.get("type") != "app_mention" or event.get("bot_id") or event.get("subtype"):
        return None
    text = _MENTION.sub("", event.get("text") or "").strip()
    if not text:
        return None
    return SlackAsk(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"], text=text,
                    user=event.get("user"))


def command_to_ask(form: dict[str, str]) -> SlackAsk | None:
    """`/teamlens summarize #release last week` → the same request as a mention, answered in the channel."""
    text = (form.get("text") or "").strip()
    if not text or not form.get("channel_id"):
        return None
    return SlackAsk(channel=form["channel_id"], thread_ts=None, text=text, user=form.get("user_id"))


def slack_reply(answer: str, citations: list[dict[str, Any]]) -> str:
    """An answer in Slack mrkdwn: `[n]` markers stay, sources listed as links below."""
    lines = [answer]
    if citations:
        lines.append("")
        lines += [f"[{c['n']}] <{c['url']}|{(c.get('title') or c['url'])[:80]}>" for c in citations]
    return "\n".join(lines)


REVIEW_ACTIONS = {"open", "reopen", "update"}


def review_request(hook: dict[str, Any]) -> dict[str, Any] | None:
    """The review a merge request event asks for (None: nothing to review, e.g. closed, merged, or an update
    that changed only the title, which GitLab sends without `oldrev`)."""
    if hook.get("object_kind") != "merge_request":
        return None
    attrs = hook.get("object_attributes") or {}
    action = attrs.get("action")
    if action not in REVIEW_ACTIONS or (action == "update" and not attrs.get("oldrev")):
        return None
    project = (hook.get("project") or {}).get("path_with_namespace")
    head = (attrs.get("last_commit") or {}).get("id") or attrs.get("sha") or ""
    if not project or not attrs.get("iid"):
        return None
    return {"project": project, "iid": int(attrs["iid"]), "head": head, "oldrev": attrs.get("oldrev")}


def review_job_id(project: str, iid: int, head: str) -> str:
    """One review per MR head: a redelivered hook names the same execution, which Step Functions refuses."""
    return "mr-" + hashlib.sha256(f"{project}!{iid}@{head}".encode()).hexdigest()[:32]
