"""What the story and filler code write: source-neutral records, resolved and rendered later.

Texts may contain late-bound references (⟦mr:slug⟧, ⟦issue:slug⟧, ...) because ids are assigned only
after everything exists, in creation order, as the real services would.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class SlackMessage:
    user: str                                   # person key
    at: dt.datetime
    text: str
    reactions: list[tuple[str, list[str]]] = field(default_factory=list)   # (emoji, person keys)
    edited_text: str | None = None              # the text after an edit; `text` is the original
    edited_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    broadcast: bool = False                     # a thread reply also sent to the channel
    ts: str = ""                                # assigned by the Slack renderer


@dataclass
class SlackThread:
    slug: str
    channel: str                                # channel name
    messages: list[SlackMessage]                # [0] is the parent; the rest are replies


@dataclass
class Comment:
    author: str
    at: dt.datetime
    text: str
    change_status: str | None = None            # Backlog: status name set by this comment


@dataclass
class BacklogIssue:
    slug: str
    project: str                                # project key: BOOK | OPS
    issue_type: str                             # name, e.g. バグ
    priority: str                               # 高 | 中 | 低
    summary: str
    description: str
    reporter: str
    assignee: str | None
    created: dt.datetime
    status: str = "未対応"
    milestone: str | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    estimated_hours: float | None = None
    comments: list[Comment] = field(default_factory=list)
    key: str = ""                               # assigned: BOOK-12
    id: int = 0


@dataclass
class FileEdit:
    path: str
    old: str | None                             # None: a new file with `new` as its content
    new: str


@dataclass
class Note:
    author: str
    at: dt.datetime
    body: str
    path: str | None = None                     # inline note on the MR diff: file and line text
    line_contains: str | None = None
    replies: list[tuple[str, dt.datetime, str]] = field(default_factory=list)
    resolved: bool = False


@dataclass
class Defect:
    path: str
    line_contains: str                          # unique text of the added line that holds the defect
    category: str                               # sql_injection | bare_except | missing_await | ...
    explanation: str


@dataclass
class MergeRequest:
    slug: str
    project: str                                # api | web
    title: str
    description: str
    author: str
    created: dt.datetime
    state: str                                  # merged | opened | closed
    edits: list[FileEdit]
    source_branch: str
    reviewers: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    merged_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    merged_by: str | None = None
    commit_messages: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    milestone: str | None = None
    iid: int = 0


@dataclass
class GitLabIssue:
    slug: str
    project: str
    title: str
    description: str
    author: str
    created: dt.datetime
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None
    closed_at: dt.datetime | None = None
    notes: list[Comment] = field(default_factory=list)
    iid: int = 0


# A reference to a gold document, resolved to ids and URLs at the end.
#   ("slack", thread_slug, message_index) | ("mr", slug) | ("mr_note", slug, note_index)
#   ("issue", slug) | ("issue_comment", slug, comment_index) | ("gl_issue", slug) | ("milestone", project, name)
Ref = tuple


@dataclass
class Fact:
    id: str
    category: str
    question: dict[str, list[str]]              # lang -> question variants
    answer: str
    gold: list[Ref]
    answer_keywords: list[str] = field(default_factory=list)


@dataclass
class Decision:
    id: str
    summary: str
    decided_by: str
    day: dt.date
    ref: Ref


@dataclass
class ActionItem:
    id: str
    owner: str
    task: str
    due: dt.date
    ref: Ref


@dataclass
class Chain:
    id: str
    topic: str
    slack: Ref
    issue: Ref
    mr: Ref


@dataclass
class Milestone:
    project: str
    name: str
    description: str
    start: dt.date
    release_due: dt.date
    archived: bool = False


@dataclass
class Workspace:
    threads: list[SlackThread] = field(default_factory=list)
    issues: list[BacklogIssue] = field(default_factory=list)
    merge_requests: list[MergeRequest] = field(default_factory=list)
    gitlab_issues: list[GitLabIssue] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    chains: list[Chain] = field(default_factory=list)
    injections: list[tuple[Ref, str]] = field(default_factory=list)

    def thread(self, slug: str) -> SlackThread:
        return next(t for t in self.threads if t.slug == slug)

    def mr(self, slug: str) -> MergeRequest:
        return next(m for m in self.merge_requests if m.slug == slug)

    def issue(self, slug: str) -> BacklogIssue:
        return next(i for i in self.issues if i.slug == slug)
