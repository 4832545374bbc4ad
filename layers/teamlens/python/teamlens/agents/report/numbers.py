"""A report's numbers, computed from the sources' records (pure). The model never produces a number.

Backlog: an issue is opened when created in the period, closed when its status became Closed (status id 4,
Backlog's built-in) in the period, overdue when not closed with a due date before the report's as-of day.
GitLab: MRs merged in the period, MRs open at the as-of time, and review turnaround (MR opened → first
comment by someone other than its author), median over the MRs first reviewed in the period.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from statistics import median
from typing import Any

from pydantic import BaseModel

CLOSED = 4


def ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class IssueRef(BaseModel):
    key: str
    summary: str
    assignee: str | None
    due: date | None
    days_overdue: int = 0


class BacklogNumbers(BaseModel):
    opened: int = 0
    closed: int = 0
    open_now: int = 0
    overdue: int = 0
    overdue_issues: list[IssueRef] = []


class GitLabNumbers(BaseModel):
    merged: int = 0
    open: int = 0
    reviewed: int = 0
    review_turnaround_hours_median: float | None = None


def _in(value: datetime | None, since: datetime, until: datetime) -> bool:
    return value is not None and since <= value < until


def _name(user: dict | None) -> str | None:
    return (user or {}).get("name")


def backlog_numbers(issues: Iterable[dict[str, Any]], closed_at: dict[str, datetime | None], since: datetime,
                    until: datetime, as_of: date) -> BacklogNumbers:
    n = BacklogNumbers()
    overdue: list[IssueRef] = []
    for i in issues:
        is_closed = i["status"]["id"] == CLOSED
        n.opened += _in(ts(i["created"]), since, until)
        n.closed += _in(closed_at.get(i["issueKey"]), since, until)
        n.open_now += not is_closed
        due = ts(i.get("dueDate"))
        if not is_closed and due is not None and due.date() < as_of:
            overdue.append(IssueRef(key=i["issueKey"], summary=i["summary"], assignee=_name(i.get("assignee")),
                                    due=due.date(), days_overdue=(as_of - due.date()).days))
    n.overdue = len(overdue)
    n.overdue_issues = sorted(overdue, key=lambda r: (-r.days_overdue, r.key))
    return n


def gitlab_numbers(mrs: Iterable[dict[str, Any]], first_review: dict[int, datetime | None], since: datetime,
                   until: datetime, as_of: datetime) -> GitLabNumbers:
    n = GitLabNumbers()
    hours: list[float] = []
    for mr in mrs:
        created, merged, closed = ts(mr["created_at"]), ts(mr.get("merged_at")), ts(mr.get("closed_at"))
        n.merged += _in(merged, since, until)
        ended = merged or closed
        n.open += created is not None and created <= as_of and (ended is None or ended > as_of)
        review = first_review.get(mr["id"])
        if created is not None and _in(review, since, until):
            hours.append((review - created).total_seconds() / 3600)  # type: ignore[operator]
    n.reviewed = len(hours)
    n.review_turnaround_hours_median = round(median(hours), 1) if hours else None
    return n


def first_review_at(mr: dict[str, Any], notes: Iterable[dict[str, Any]]) -> datetime | None:
    author = (mr.get("author") or {}).get("id")
    times = [ts(n["created_at"]) for n in notes
             if not n.get("system") and (n.get("author") or {}).get("id") != author]
    return min((t for t in times if t), default=None)


def closed_time(comments: Iterable[dict[str, Any]], closed_names: set[str]) -> datetime | None:
    """When the issue last became Closed, from its comments' change logs."""
    last = None
    for c in comments:
        for change in c.get("changeLog") or []:
            if change.get("field") == "status" and change.get("newValue") in closed_names:
                last = ts(c["created"])
    return last


def by_assignee(issues: Iterable[dict[str, Any]], closed_at: dict[str, datetime | None], since: datetime,
                until: datetime, as_of: date) -> dict[str, BacklogNumbers]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for i in issues:
        groups.setdefault(_name(i.get("assignee")) or "(unassigned)", []).append(i)
    return {who: backlog_numbers(items, closed_at, since, until, as_of) for who, items in sorted(groups.items())}

