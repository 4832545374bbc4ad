"""GitLab raw objects as Documents: a merge request (its description and discussions) plus one document
per changed file (its diff, cut at hunks), an issue with its notes, and a repository file (cut at its
top-level definitions)."""
from __future__ import annotations

import hashlib
from typing import Any

from teamlens.documents import Document, Part
from teamlens.ingestion.code_sections import code_sections, file_language
from teamlens.ingestion.diff_hunks import parse_hunks
from teamlens.ingestion.normalize_common import dominant_language, meta_line, minute, names, parse_time
from teamlens.language import detect_language


def _project_path(project: dict[str, Any]) -> str:
    return project.get("path_with_namespace") or project.get("path") or str(project.get("id", ""))


def _reference(project: dict[str, Any], item: dict[str, Any], sigil: str) -> str:
    full = (item.get("references") or {}).get("full") if isinstance(item.get("references"), dict) else None
    return full or f"{_project_path(project)}{sigil}{item['iid']}"


def _person(user: dict[str, Any] | None) -> str:
    return next(iter(names([user])), "")


def _milestone(item: dict[str, Any]) -> str:
    return (item.get("milestone") or {}).get("title") or ""


def _note_parts(discussions: list[dict[str, Any]], web_url: str) -> list[Part]:
    """Every note of every discussion, oldest discussion first, replies under their first note."""
    parts = []
    for discussion in discussions:
        for n, note in enumerate(discussion.get("notes") or []):
            body = (note.get("body") or "").strip()
            if not body:
                continue
            author = _person(note.get("author"))
            at = parse_time(note.get("created_at"))
            if note.get("system"):
                text = f"{author} {body} ({minute(at)})"
                role = "system"
            else:
                where = ""
                pos = note.get("position") or {}
                if pos.get("new_path") or pos.get("old_path"):
                    line = pos.get("new_line") or pos.get("old_line")
                    where = f" on {pos.get('new_path') or pos.get('old_path')}" + (f":{line}" if line else "")
                flags = " [resolved]" if n == 0 and note.get("resolvable") and note.get("resolved") else ""
                lead = "  ↳ " if n else ""
                text = f"{lead}{author} ({minute(at)}){where}{flags}: {body}"
                role = "note"
            parts.append(Part(text=text, role=role, url=f"{web_url}#note_{note['id']}" if web_url else "",
                              author=author, at=at, language=detect_language(body)))
    return parts


def _latest_version(versions: list[dict[str, Any]]) -> dict[str, Any]:
    """GitLab lists MR versions newest first; take the highest id to be safe."""
    return max(versions, key=lambda v: v.get("id", 0)) if versions else {}


def merge_request_documents(raw: dict[str, Any]) -> list[Document]:
    project, mr = raw["project"], raw["merge_request"]
    pid, iid = project["id"], mr["iid"]
    path = _project_path(project)
    reference = _reference(project, mr, "!")
    author = _person(mr.get("author"))
    created, updated = parse_time(mr.get("created_at")), parse_time(mr.get("updated_at"))
    diffs = raw.get("diffs") or []
    version = _latest_version(raw.get("versions") or [])
    labels = [str(x) for x in mr.get("labels") or []]
    reviewers = names(mr.get("reviewers") or [])
    description = (mr.get("description") or "").strip()
    summary = "\n".join(x for x in (
        f"{mr.get('title', '')} ({reference}, {mr.get('state', '')})",
        meta_line([("Author", author), ("Reviewers", reviewers),
                   ("Assignees", names(mr.get("assignees") or [])),
                   ("Branch", f"{mr.get('source_branch', '')} → {mr.get('target_branch', '')}"),
                   ("Labels", labels), ("Milestone", _milestone(mr)), ("Draft", mr.get("draft")),
                   ("Merged by", _person(mr.get("merged_by")) if mr.get("merged_at") else ""),
                   ("Files changed", len(diffs))]),
        description,
    ) if x)
    parts = [Part(text=summary, role="description", url=mr.get("web_url", ""), author=author, at=created,
                  language=detect_language(f"{mr.get('title', '')}\n{description}"))]
    parts += _note_parts(raw.get("discussions") or [], mr.get("web_url", ""))
    common = {"project_id": pid, "iid": iid, "reference": reference, "state": mr.get("state", ""),
              "base_sha": version.get("base_commit_sha", ""),
              "start_sha": version.get("start_commit_sha", ""),
              "head_sha": version.get("head_commit_sha", "")}
    mr_doc = Document(
        id=f"gitlab:mr:{pid}:{iid}", source="gitlab", kind="merge_request", title=mr.get("title", ""),
        text="\n\n".join(p.text for p in parts), url=mr.get("web_url", ""), author=author,
        created_at=created, updated_at=updated, language=dominant_language(parts), project=path,
        metadata={**common, "labels": labels, "reviewers": reviewers,
                  "source_branch": mr.get("source_branch", ""), "target_branch": mr.get("target_branch", ""),
                  "milestone": _milestone(mr),
                  "draft": bool(mr.get("draft")), "merged_at": mr.get("merged_at") or "",
                  "changes_count": str(mr.get("changes_count") or len(diffs)), "files_changed": len(diffs)},
        parts=parts,
    )
    return [mr_doc] + [_diff_document(project, mr, d, common, mr_doc) for d in diffs]


def _diff_document(project: dict[str, Any], mr: dict[str, Any], diff: dict[str, Any], common: dict[str, Any],
                   mr_doc: Document) -> Document:
    new_path, old_path = diff.get("new_path") or diff.get("old_path") or "", diff.get("old_path") or ""
    text = diff.get("diff") or ""
    preamble, hunks = parse_hunks(text)
    parts = [Part(text=h.text, role="hunk", line_start=h.new_start, line_end=h.new_end) for h in hunks]
    if preamble.strip() or not parts:
        # binary, mode-only, too large or collapsed: say so, so that a reader knows the file changed
        state = ("too large to show" if diff.get("too_large") else "collapsed" if diff.get("collapsed")
                 else "no textual changes")
        parts.insert(0, Part(text=preamble.strip() or f"({state})", role="preamble"))
    return Document(
        id=f"gitlab:mr_diff:{common['project_id']}:{common['iid']}:{new_path}", source="gitlab",
        kind="mr_diff",
        title=new_path if new_path == old_path else f"{old_path} → {new_path}",
        text=text, url=_diff_url(mr.get("web_url", ""), new_path),
        author=mr_doc.author, created_at=mr_doc.created_at, updated_at=mr_doc.updated_at,
        language=detect_language(text),
        parent_id=mr_doc.id, project=mr_doc.project,
        metadata={**common, "file_path": new_path, "new_path": new_path, "old_path": old_path,
                  "new_file": bool(diff.get("new_file")), "renamed_file": bool(diff.get("renamed_file")),
                  "deleted_file": bool(diff.get("deleted_file")), "too_large": bool(diff.get("too_large")),
                  "file_language": file_language(new_path), "mr_title": mr.get("title", "")},
        parts=parts,
    )


def _diff_url(mr_url: str, path: str) -> str:
    """The file in the MR's Changes tab: GitLab anchors each file at the SHA-1 of its path."""
    if not mr_url:
        return ""
    return f"{mr_url}/diffs#{hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()}"


def issue_documents(raw: dict[str, Any]) -> list[Document]:
    project, issue = raw["project"], raw["issue"]
    pid, iid = project["id"], issue["iid"]
    reference = _reference(project, issue, "#")
    author = _person(issue.get("author"))
    created = parse_time(issue.get("created_at"))
    labels = [str(x) for x in issue.get("labels") or []]
    assignees = names(issue.get("assignees") or [issue.get("assignee")])
    description = (issue.get("description") or "").strip()
    body = "\n".join(x for x in (
        f"{issue.get('title', '')} ({reference}, {issue.get('state', '')})",
        meta_line([("Author", author), ("Assignees", assignees), ("Labels", labels),
                   ("Milestone", _milestone(issue)), ("Due", issue.get("due_date"))]),
        description,
    ) if x)
    parts = [Part(text=body, role="body", url=issue.get("web_url", ""), author=author, at=created,
                  language=detect_language(f"{issue.get('title', '')}\n{description}"))]
    notes = sorted(raw.get("notes") or [], key=lambda n: (n.get("created_at") or "", n.get("id", 0)))
    parts += _note_parts([{"notes": [n]} for n in notes], issue.get("web_url", ""))
    return [Document(
        id=f"gitlab:issue:{pid}:{iid}", source="gitlab", kind="gitlab_issue", title=issue.get("title", ""),
        text="\n\n".join(p.text for p in parts), url=issue.get("web_url", ""), author=author,
        created_at=created, updated_at=parse_time(issue.get("updated_at"), created),
        language=dominant_language(parts), project=_project_path(project),
        metadata={"project_id": pid, "iid": iid, "reference": reference, "state": issue.get("state", ""),
                  "labels": labels, "assignees": assignees, "milestone": _milestone(issue),
                  "due_date": issue.get("due_date") or "", "closed_at": issue.get("closed_at") or ""},
        parts=parts,
    )]


def file_documents(raw: dict[str, Any]) -> list[Document]:
    """A repository file at the default branch. The raw object carries no commit time, so the project's
    creation and last activity stand in for the document's times."""
    project = raw["project"]
    path, content = raw["file_path"], raw.get("content") or ""
    sections = code_sections(path, content)
    if not sections:
        return []
    parts = [Part(text=s.text, role="section", line_start=s.start_line, line_end=s.end_line)
             for s in sections]
    return [Document(
        id=f"gitlab:code:{project['id']}:{path}", source="gitlab", kind="code", title=path, text=content,
        url=raw.get("web_url", ""), created_at=parse_time(project.get("created_at")),
        updated_at=parse_time(project.get("last_activity_at") or project.get("created_at")),
        language=detect_language(content), project=_project_path(project),
        metadata={"project_id": project["id"], "file_path": path, "ref": raw.get("ref", ""),
                  "blob_id": raw.get("blob_id", ""), "file_language": file_language(path),
                  "line_count": sections[-1].end_line},
        parts=parts,
    )]
