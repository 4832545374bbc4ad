"""Assign ids the way the services would (in creation order), then resolve ⟦...⟧ references in texts."""
from __future__ import annotations

import random
import re
from collections import defaultdict

from demo import hosts
from demo.model import Workspace
from demo.people import person

TOKEN = re.compile(r"⟦(@?)([a-z_]+)?:?([^⟧]*)⟧")


def assign_ids(ws: Workspace, rng: random.Random) -> None:
    for project in hosts.GITLAB_PROJECTS:
        mrs = sorted((m for m in ws.merge_requests if m.project == project), key=lambda m: (m.created, m.slug))
        for iid, mr in enumerate(mrs, start=1):
            mr.iid = iid
        issues = sorted((i for i in ws.gitlab_issues if i.project == project), key=lambda i: (i.created, i.slug))
        for iid, issue in enumerate(issues, start=1):
            issue.iid = iid
    key_no: dict[str, int] = defaultdict(int)
    for n, issue in enumerate(sorted(ws.issues, key=lambda i: (i.created, i.slug))):
        key_no[issue.project] += 1
        issue.key, issue.id = f"{issue.project}-{key_no[issue.project]}", 4_810_000 + n
    by_channel: dict[str, list] = defaultdict(list)
    for thread in ws.threads:
        for msg in thread.messages:
            by_channel[thread.channel].append(msg)
    for channel in sorted(by_channel):
        last = 0
        for msg in sorted(by_channel[channel], key=lambda m: m.at):
            micro = int(msg.at.timestamp()) * 1_000_000 + rng.randrange(1, 999_999)
            micro = max(micro, last + 1)   # ts is unique and ordered within a channel
            msg.ts, last = f"{micro // 1_000_000}.{micro % 1_000_000:06d}", micro


def slack_permalink(channel: str, ts: str, thread_ts: str | None = None) -> str:
    cid = hosts.SLACK_CHANNELS[channel][0]
    url = f"{hosts.SLACK}/archives/{cid}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        url += f"?thread_ts={thread_ts}&cid={cid}"
    return url


def mr_url(project: str, iid: int) -> str:
    return f"{hosts.GITLAB}/{hosts.GITLAB_PROJECTS[project][1]}/-/merge_requests/{iid}"


def backlog_url(key: str) -> str:
    return f"{hosts.BACKLOG}/view/{key}"


class Resolver:
    def __init__(self, ws: Workspace) -> None:
        self.mrs = {m.slug: m for m in ws.merge_requests}
        self.issues = {i.slug: i for i in ws.issues}
        self.threads = {t.slug: t for t in ws.threads}

    def text(self, s: str, *, context: str, project: str | None = None) -> str:
        """context: slack | gitlab | backlog | plain. Slack wraps links as <url>; GitLab shortens same-project refs."""
        def sub(m: re.Match) -> str:
            at, kind, arg = m.groups()
            if at:
                p = person(kind)
                return f"<@{p.slack_id}>" if context == "slack" else f"@{p.username}"
            if kind == "mr":
                mr = self.mrs[arg]
                if context == "gitlab" and project == mr.project:
                    return f"!{mr.iid}"
                return f"{hosts.GITLAB_PROJECTS[mr.project][1].split('/')[1]}!{mr.iid}"
            if kind == "issue":
                return self.issues[arg].key
            if kind == "mr_url":
                url = mr_url(self.mrs[arg].project, self.mrs[arg].iid)
            elif kind == "issue_url":
                url = backlog_url(self.issues[arg].key)
            elif kind == "slack_url":
                t = self.threads[arg]
                url = slack_permalink(t.channel, t.messages[0].ts)
            else:
                raise ValueError(f"unknown reference {m.group(0)}")
            return f"<{url}>" if context == "slack" else url
        out = TOKEN.sub(sub, s)
        if "⟦" in out:
            raise ValueError(f"unresolved reference in {out[:80]!r}")
        return out
