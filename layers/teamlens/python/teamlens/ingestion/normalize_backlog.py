"""A Backlog issue with its comments as one Document: the issue (summary, fields, description) first,
then each comment with the field changes it made (status, assignee, milestone, ...), oldest first."""
from __future__ import annotations

from typing import Any

from teamlens.documents import Document, Part
from teamlens.ingestion.normalize_common import dominant_language, meta_line, minute, names, parse_time
from teamlens.language import detect_language


def _name(value: dict[str, Any] | None) -> str:
    return (value or {}).get("name") or ""


def _names(values: list[dict[str, Any]] | None) -> list[str]:
    return [v["name"] for v in values or [] if v.get("name")]


def _day(value: str | None) -> str:
    return value[:10] if value else ""


def _change(change: dict[str, Any]) -> str:
    old, new = change.get("originalValue") or "", change.get("newValue") or ""
    return f"{change.get('field', '')}: {old or '—'} → {new or '—'}"


def issue_documents(raw: dict[str, Any]) -> list[Document]:
    issue, project = raw["issue"], raw.get("project") or {}
    key = issue["issueKey"]
    space_url = (raw.get("space_url") or "").rstrip("/")
    url = f"{space_url}/view/{key}"
    author = next(iter(names([issue.get("createdUser")])), "")
    created = parse_time(issue.get("created"))
    fields = {
        "issue_type": _name(issue.get("issueType")), "status": _name(issue.get("status")),
        "priority": _name(issue.get("priority")), "assignee": _name(issue.get("assignee")),
        "milestone": _names(issue.get("milestone")), "versions": _names(issue.get("versions")),
        "category": _names(issue.get("category")), "resolution": _name(issue.get("resolution")),
        "start_date": _day(issue.get("startDate")), "due_date": _day(issue.get("dueDate")),
    }
    description = (issue.get("description") or "").strip()
    body = "\n".join(x for x in (
        f"{issue.get('summary', '')} ({key})",
        meta_line([("Type", fields["issue_type"]), ("Status", fields["status"]),
                   ("Priority", fields["priority"]),
                   ("Assignee", fields["assignee"]), ("Milestone", fields["milestone"]),
                   ("Version", fields["versions"]), ("Category", fields["category"]),
                   ("Start", fields["start_date"]), ("Due", fields["due_date"]),
                   ("Resolution", fields["resolution"]), ("Reporter", author)]),
        description,
    ) if x)
    parts = [Part(text=body, role="body", url=url, author=author, at=created,
                  language=detect_language(f"{issue.get('summary', '')}\n{description}"))]
    for comment in sorted(raw.get("comments") or [], key=lambda c: (c.get("created") or "", c.get("id", 0))):
        content = (comment.get("content") or "").strip()
        changes = [_change(c) for c in comment.get("changeLog") or [] if c.get("field")]
        if not content and not changes:
            continue
        who = next(iter(names([comment.get("createdUser")])), "")
        at = parse_time(comment.get("created"))
        lines = [f"{who} ({minute(at)}): {content}" if content else f"{who} ({minute(at)}):"]
        lines += [f"  [{c}]" for c in changes]
        parts.append(Part(text="\n".join(lines), role="comment", url=f"{url}#comment-{comment['id']}",
                          author=who, at=at, language=detect_language(content) if content else ""))
    due = parse_time(issue["dueDate"]) if issue.get("dueDate") else None
    return [Document(
        id=f"backlog:issue:{key}", source="backlog", kind="backlog_issue", title=issue.get("summary", ""),
        text="\n\n".join(p.text for p in parts), url=url, author=author, created_at=created,
        updated_at=parse_time(issue.get("updated"), created), language=dominant_language(parts),
        project=project.get("projectKey") or key.rsplit("-", 1)[0],
        metadata={"issue_key": key, **fields, **({"due_ts": int(due.timestamp())} if due else {}),
                  "estimated_hours": issue.get("estimatedHours"), "actual_hours": issue.get("actualHours"),
                  "parent_issue_id": issue.get("parentIssueId"), "comment_count": len(parts) - 1},
        parts=parts,
    )]
