"""Backlog side of the workspace: space, projects, users, issue types, statuses, milestones, issues, comments."""
from __future__ import annotations

import datetime as dt
from typing import Any

from demo import hosts
from demo.calendar import iso_seconds_z
from demo.model import Workspace
from demo.people import BOT, TEAM, person
from demo.resolve import Resolver

STATUSES = [(1, "未対応", "#ed8077"), (2, "処理中", "#4488c5"), (3, "処理済み", "#5eb5a6"), (4, "完了", "#b0be3c")]
PRIORITIES = [{"id": 2, "name": "高"}, {"id": 3, "name": "中"}, {"id": 4, "name": "低"}]
ISSUE_TYPES = [("バグ", "#990000"), ("タスク", "#7ea800"), ("要望", "#ff9200"), ("その他", "#2779ca")]


def backlog_user(key: str) -> dict[str, Any]:
    p = person(key)
    return {"id": p.backlog_id, "userId": p.username, "name": p.name, "roleType": 1 if key == "tanaka" else 2,
            "lang": "ja" if p.lang == "ja" else None, "mailAddress": p.email,
            "nulabAccount": None, "keyword": f"{p.name} {p.username}", "lastLoginTime": None}


def render_backlog(ws: Workspace, resolver: Resolver) -> dict[str, Any]:
    projects, issue_types, statuses, milestones = [], {}, {}, {}
    for n, (key, (pid, name)) in enumerate(hosts.BACKLOG_PROJECTS.items()):
        projects.append({"id": pid, "projectKey": key, "name": name, "chartEnabled": True,
                         "useResolvedForChart": True, "subtaskingEnabled": True,
                         "projectLeaderCanEditProjectLeader": False, "useWiki": True, "useFileSharing": False,
                         "useWikiTreeView": True, "useOriginalImageSizeAtWiki": False, "useSubversion": False,
                         "useGit": False, "textFormattingRule": "markdown", "archived": False,
                         "displayOrder": 2_147_483_646 - n, "useDevAttributes": True})
        issue_types[key] = [{"id": pid * 10 + i, "projectId": pid, "name": t, "color": c, "displayOrder": i,
                             "templateSummary": None, "templateDescription": None}
                            for i, (t, c) in enumerate(ISSUE_TYPES)]
        statuses[key] = [{"id": sid, "projectId": pid, "name": s, "color": c, "displayOrder": 1000 * sid}
                         for sid, s, c in STATUSES]
        milestones[key] = [{"id": 3000 + pid * 10 + i, "projectId": pid, "name": m.name, "description": m.description,
                            "startDate": f"{m.start}T00:00:00Z", "releaseDueDate": f"{m.release_due}T00:00:00Z",
                            "archived": m.archived, "displayOrder": i}
                           for i, m in enumerate(x for x in ws.milestones if x.project == key)]
    comment_ids = iter(range(91_000_001, 99_999_999))
    all_comments = sorted(((c.at, issue.key, idx, issue, c) for issue in ws.issues
                           for idx, c in enumerate(issue.comments)), key=lambda x: x[:3])
    comment_id_of = {(key, idx): next(comment_ids) for _, key, idx, _, _ in all_comments}
    issues = []
    for issue in sorted(ws.issues, key=lambda i: i.id):
        pid = hosts.BACKLOG_PROJECTS[issue.project][0]
        status_of = {s["name"]: s for s in statuses[issue.project]}
        comments, status = [], "未対応"
        for idx, c in enumerate(issue.comments):
            at = max(c.at, issue.created + dt.timedelta(minutes=20 * (idx + 1)))
            change_log = []
            if c.change_status and c.change_status != status:
                change_log.append({"field": "status", "newValue": c.change_status, "originalValue": status,
                                   "attachmentInfo": None, "attributeInfo": None, "notificationInfo": None})
                status = c.change_status
            comments.append({"id": comment_id_of[(issue.key, idx)],
                             "content": resolver.text(c.text, context="backlog"), "changeLog": change_log,
                             "createdUser": backlog_user(c.author), "created": iso_seconds_z(at),
                             "updated": iso_seconds_z(at), "stars": [], "notifications": []})
        last = comments[-1] if comments else None
        itype = next(t for t in issue_types[issue.project] if t["name"] == issue.issue_type)
        issues.append({
            "id": issue.id, "projectId": pid, "issueKey": issue.key, "keyId": int(issue.key.split("-")[1]),
            "issueType": itype, "summary": issue.summary,
            "description": resolver.text(issue.description, context="backlog"),
            "resolution": None, "priority": next(p for p in PRIORITIES if p["name"] == issue.priority),
            "status": status_of[issue.status],
            "assignee": backlog_user(issue.assignee) if issue.assignee else None, "category": [], "versions": [],
            "milestone": [m for m in milestones[issue.project] if m["name"] == issue.milestone],
            "startDate": f"{issue.start_date}T00:00:00Z" if issue.start_date else None,
            "dueDate": f"{issue.due_date}T00:00:00Z" if issue.due_date else None,
            "estimatedHours": issue.estimated_hours, "actualHours": None, "parentIssueId": None,
            "createdUser": backlog_user(issue.reporter), "created": iso_seconds_z(issue.created),
            "updatedUser": last["createdUser"] if last else backlog_user(issue.reporter),
            "updated": last["updated"] if last else iso_seconds_z(issue.created),
            "customFields": [], "attachments": [], "sharedFiles": [], "stars": [],
            "_comments": comments,
        })
    return {"space": {"spaceKey": "kumo", "name": "Kumo", "ownerId": person("tanaka").backlog_id, "lang": "ja",
                      "timezone": "Asia/Tokyo", "textFormattingRule": "markdown"},
            "users": [backlog_user(p.key) for p in (*TEAM, BOT)], "projects": projects, "priorities": PRIORITIES,
            "issue_types": issue_types, "statuses": statuses, "milestones": milestones, "issues": issues}
