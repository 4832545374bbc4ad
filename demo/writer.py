"""A small authoring API the story and filler modules use to add records to a Workspace."""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from demo.calendar import Timeline
from demo.model import BacklogIssue, Comment, MergeRequest, SlackMessage, SlackThread, Workspace
from demo.people import person

Line = tuple  # (who, "HH:MM" | "+N HH:MM", text[, options])


class Writer:
    def __init__(self, ws: Workspace, tl: Timeline) -> None:
        self.ws = ws
        self.tl = tl

    def at(self, day: dt.date, when: str, who: str) -> dt.datetime:
        """`when` is a local time in the writer's zone, optionally '+N HH:MM' for N days later."""
        if when.startswith("+"):
            shift, _, when = when[1:].partition(" ")
            day = day + dt.timedelta(days=int(shift))
        return self.tl.at(day, when, person(who).tz)

    def thread(self, slug: str, channel: str, day: dt.date, lines: Sequence[Line]) -> SlackThread:
        messages = []
        for line in lines:
            who, when, text = line[:3]
            opts: dict[str, Any] = line[3] if len(line) > 3 else {}
            msg = SlackMessage(user=who, at=self.at(day, when, who), text=text,
                               reactions=list(opts.get("react", [])), broadcast=opts.get("broadcast", False))
            if "edit" in opts:
                new_text, edit_when = opts["edit"]
                msg.edited_text, msg.edited_at = new_text, self.at(day, edit_when, who)
            if "delete" in opts:
                msg.deleted_at = self.at(day, opts["delete"], who)
            messages.append(msg)
        for earlier, later in itertools.pairwise(messages):
            if later.at <= earlier.at:
                raise ValueError(f"thread {slug}: messages out of order at {later.text[:40]!r}")
        thread = SlackThread(slug=slug, channel=channel, messages=messages)
        self.ws.threads.append(thread)
        return thread

    def issue(self, slug: str, project: str, day: dt.date, when: str, *, reporter: str, summary: str,
              description: str, issue_type: str = "バグ", priority: str = "中", assignee: str | None = None,
              milestone: str | None = None, due: dt.date | None = None, start: dt.date | None = None,
              estimated_hours: float | None = None,
              comments: Sequence[tuple] = ()) -> BacklogIssue:
        """comments: (who, day, "HH:MM", text[, new status])."""
        issue = BacklogIssue(slug=slug, project=project, issue_type=issue_type, priority=priority,
                             summary=summary, description=description, reporter=reporter, assignee=assignee,
                             created=self.at(day, when, reporter), milestone=milestone, due_date=due,
                             start_date=start, estimated_hours=estimated_hours)
        for c in comments:
            who, cday, cwhen, text = c[:4]
            issue.comments.append(Comment(who, self.at(cday, cwhen, who), text, c[4] if len(c) > 4 else None))
            if len(c) > 4:
                issue.status = c[4]
        self.ws.issues.append(issue)
        return issue

    def mr(self, mr: MergeRequest) -> MergeRequest:
        self.ws.merge_requests.append(mr)
        return mr
