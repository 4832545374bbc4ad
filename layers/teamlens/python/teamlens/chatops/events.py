"""Reading Slack events and GitLab merge request hooks, and shaping replies (pure)."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import BaseModel

from teamlens.chatops.slack_format import link, safe_text
from teamlens.http_body import BadBody

_MENTION = re.compile(r"<@[A-Z0-9]+>\s*")


class SlackAsk(BaseModel):
    """A question to answer in Slack: where to reply and what was asked."""
    channel: str
    thread_ts: str | None
    text: str
    user: str | None = None


def mention_to_ask(event: Any) -> SlackAsk | None:
    """An `app_mention` (not from a bot: our own replies must never trigger us) as a question."""
    if not isinstance(event, dict):
        raise BadBody(400, "the event callback's `event` must be an object")
    if event.get("type") != "app_mention" or event.get("bot_id") or event.get("subtype"):
        return None
    text = _MENTION.sub("", _text(event, "text")).strip()
    if not text:
        return None
    channel, ts, thread_ts = _text(event, "channel"), _text(event, "ts"), _text(event, "thread_ts")
    if not channel or not ts:
        raise BadBody(400, "the app_mention event lacks `channel` or `ts`")
    return SlackAsk(channel=channel, thread_ts=thread_ts or ts, text=text, user=_text(event, "user") or None)


def _text(obj: dict[str, Any], field: str) -> str:
    value = obj.get(field)
    if value is not None and not isinstance(value, str):
        raise BadBody(400, f"`{field}` must be a string")
    return value or ""


def command_to_ask(form: dict[str, str]) -> SlackAsk | None:
    """`/teamlens summarize #release last week` → the same request as a mention, answered in the channel."""
    text = (form.get("text") or "").strip()
    if not text or not form.get("channel_id"):
        return None
    return SlackAsk(channel=form["channel_id"], thread_ts=None, text=text, user=form.get("user_id"))


def slack_reply(answer: str, citations: list[dict[str, Any]]) -> str:
    """An answer in Slack mrkdwn: `[n]` markers stay, sources listed as links below; the answer's text is
    escaped and any line of it that reads like an instruction is quoted (see slack_format)."""
    lines = [safe_text(answer)]
    if citations:
        lines.append("")
        lines += [f"[{c['n']}] {link(c['url'], (c.get('title') or c['url'])[:80])}" for c in citations]
    return "\n".join(lines)


REVIEW_ACTIONS = {"open", "reopen", "update"}


def review_request(hook: Any) -> dict[str, Any] | None:
    """The review a merge request event asks for (None: nothing to review, e.g. closed, merged, or an update
    that changed only the title, which GitLab sends without `oldrev`)."""
    if not isinstance(hook, dict) or hook.get("object_kind") != "merge_request":
        return None
    attrs, project_obj = hook.get("object_attributes") or {}, hook.get("project") or {}
    if not isinstance(attrs, dict) or not isinstance(project_obj, dict) or \
            not isinstance(attrs.get("last_commit") or {}, dict):
        raise BadBody(400, "a merge_request hook's `object_attributes`, `project` and `last_commit` must be objects")
    action = attrs.get("action")
    if not isinstance(action, str) or action not in REVIEW_ACTIONS or (action == "update" and not attrs.get("oldrev")):
        return None
    project = project_obj.get("path_with_namespace")
    head = (attrs.get("last_commit") or {}).get("id") or attrs.get("sha") or ""
    if not project or not attrs.get("iid"):
        return None
    iid, oldrev = attrs["iid"], attrs.get("oldrev")
    if not isinstance(project, str) or not isinstance(head, str) or not (oldrev is None or isinstance(oldrev, str)) \
            or isinstance(iid, bool) or not (isinstance(iid, int) or (isinstance(iid, str) and iid.isdigit())):
        raise BadBody(400, "a merge_request hook needs a string `project.path_with_namespace`, a numeric "
                           "`object_attributes.iid` and string commit ids")
    return {"project": project, "iid": int(iid), "head": head, "oldrev": oldrev}


def review_job_id(project: str, iid: int, head: str) -> str:
    """One review per MR head: a redelivered hook names the same execution, which Step Functions refuses."""
    return "mr-" + hashlib.sha256(f"{project}!{iid}@{head}".encode()).hexdigest()[:32]
