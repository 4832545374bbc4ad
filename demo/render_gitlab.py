"""GitLab side of the workspace: repositories, merge requests (commits, diffs, versions, discussions), issues.

Objects are stored as GitLab REST v4 returns them, minus what depends on the request (the simulator adds
per-request fields and rewrites the canonical host to its own base URL).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from demo import hosts
from demo.calendar import iso_z
from demo.model import MergeRequest, Workspace
from demo.people import BOT, TEAM, person
from demo.repository import Tree, added_line_number, apply_edits, blob_sha, file_diffs, load_seed
from demo.resolve import Resolver, mr_url

SEEDS = {"api": "booking-api", "web": "booking-web"}


def user(key: str) -> dict[str, Any]:
    p = person(key)
    return {"id": p.gitlab_id, "username": p.username, "name": p.name, "state": "active", "locked": False,
            "avatar_url": None, "web_url": f"{hosts.GITLAB}/{p.username}"}


def _sha(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()


class _Repo:
    """Trees by commit sha, deduplicated blobs, and the main branch as it moves."""

    def __init__(self, project: str, start: dt.datetime) -> None:
        self.project = project
        self.blobs: dict[str, str] = {}
        self.trees: dict[str, dict[str, str]] = {}
        self.commits: dict[str, dict[str, Any]] = {}
        self.branches: dict[str, str] = {}
        self.main_log: list[str] = []
        seed = load_seed(SEEDS[project])
        root = self.commit(seed, "Initial import of " + SEEDS[project], "sato", start, [])
        self.branches["main"] = root
        self.main_log.append(root)

    def tree(self, sha: str) -> Tree:
        return {path: self.blobs[b] for path, b in self.trees[sha].items()}

    def commit(self, tree: Tree, message: str, author: str, at: dt.datetime, parents: list[str]) -> str:
        blob_map = {}
        for path, content in sorted(tree.items()):
            b = blob_sha(content)
            self.blobs[b] = content
            blob_map[path] = b
        sha = _sha(self.project, message, at.isoformat(), *parents, *sorted(blob_map.values()))
        p = person(author)
        self.trees[sha] = blob_map
        self.commits[sha] = {
            "id": sha, "short_id": sha[:8], "title": message.splitlines()[0], "message": message + "\n",
            "author_name": p.name, "author_email": p.email, "authored_date": iso_z(at),
            "committer_name": p.name, "committer_email": p.email, "committed_date": iso_z(at),
            "created_at": iso_z(at), "parent_ids": parents, "trailers": {}, "extended_trailers": {},
            "web_url": f"{hosts.GITLAB}/{hosts.GITLAB_PROJECTS[self.project][1]}/-/commit/{sha}",
        }
        return sha


def render_gitlab(ws: Workspace, resolver: Resolver, start: dt.datetime) -> dict[str, Any]:
    note_ids = iter(range(3_100_001, 10_000_000))
    projects = []
    for short, (pid, path) in hosts.GITLAB_PROJECTS.items():
        repo = _Repo(short, start)
        mrs = sorted((m for m in ws.merge_requests if m.project == short), key=lambda m: m.iid)
        events = [(m.created, 0, m.slug, "open", m) for m in mrs]
        events += [(m.merged_at, 1, m.slug, "merge", m) for m in mrs if m.merged_at]
        rendered: dict[str, dict[str, Any]] = {}
        for at, _, _, kind, mr in sorted(events, key=lambda e: e[:3]):
            if kind == "open":
                rendered[mr.slug] = _open_mr(repo, mr, pid, path, resolver, note_ids)
            else:
                main = repo.tree(repo.branches["main"])
                edits = mr.edits(main) if callable(mr.edits) else mr.edits
                merged = apply_edits(main, edits, f"merge {mr.slug}")
                sha = repo.commit(merged, f"Merge branch '{mr.source_branch}' into 'main'\n\n{mr.title}\n\n"
                                          f"See merge request {path}!{mr.iid}", mr.merged_by or mr.author, at,
                                  [repo.branches["main"], rendered[mr.slug]["sha"]])
                repo.branches["main"], rendered[mr.slug]["merge_commit_sha"] = sha, sha
                repo.main_log.append(sha)
        issues = [_issue(i, pid, path, resolver, note_ids) for i in
                  sorted((i for i in ws.gitlab_issues if i.project == short), key=lambda i: i.iid)]
        last_activity = max([m["updated_at"] for m in rendered.values()] + [i["updated_at"] for i in issues])
        projects.append({
            "project": {
                "id": pid, "name": path.split("/")[1], "path": path.split("/")[1], "path_with_namespace": path,
                "name_with_namespace": f"Kumo / {path.split('/')[1]}", "description": {
                    "api": "Reservation backend (Python, FastAPI, PostgreSQL)",
                    "web": "Customer and owner web app (React, TypeScript)"}[short],
                "default_branch": "main", "visibility": "private", "created_at": iso_z(start),
                "last_activity_at": last_activity, "web_url": f"{hosts.GITLAB}/{path}",
                "http_url_to_repo": f"{hosts.GITLAB}/{path}.git", "ssh_url_to_repo": f"git@gitlab.kumo.example:{path}.git",
                "namespace": {"id": 7, "name": "Kumo", "path": hosts.GITLAB_NAMESPACE, "kind": "group",
                              "full_path": hosts.GITLAB_NAMESPACE, "web_url": f"{hosts.GITLAB}/groups/kumo"},
                "archived": False, "empty_repo": False, "topics": [], "star_count": 0, "forks_count": 0,
                "open_issues_count": sum(1 for i in issues if i["state"] == "opened"),
            },
            "merge_requests": [rendered[m.slug] for m in mrs],
            "issues": issues,
            "repository": {"blobs": repo.blobs, "trees": repo.trees, "commits": repo.commits,
                           "branches": repo.branches, "main_log": repo.main_log},
        })
    users = [user(p.key) for p in (*TEAM, BOT)]
    return {"users": users, "projects": projects}


def _open_mr(repo: _Repo, mr: MergeRequest, pid: int, path: str, resolver: Resolver, note_ids) -> dict[str, Any]:
    base_sha = repo.branches["main"]
    base = repo.tree(base_sha)
    edits = mr.edits(base) if callable(mr.edits) else mr.edits
    # Spread the edits over the commits: commit k carries its share, the last one the rest.
    messages = mr.commit_messages or [mr.title]
    per = max(1, len(edits) // len(messages))
    tree, parent, commits = base, base_sha, []
    for k, message in enumerate(messages):
        chunk = edits[k * per:(k + 1) * per] if k < len(messages) - 1 else edits[k * per:]
        tree = apply_edits(tree, chunk, mr.slug)
        at = mr.created - dt.timedelta(minutes=10 * (len(messages) - k))
        parent = repo.commit(tree, message, mr.author, at, [parent])
        commits.append(parent)
    head_sha = parent
    repo.branches[mr.source_branch] = head_sha
    head = repo.tree(head_sha)
    diffs = file_diffs(base, head)
    web_url = mr_url(mr.project, mr.iid)
    merge_request_id = 700_000 + pid * 1000 + mr.iid
    discussions, notes_count, last_note = _discussions(mr, head, base_sha, head_sha, merge_request_id, resolver,
                                                       note_ids, web_url)
    updated = max([mr.created] + [t for t in (mr.merged_at, mr.closed_at, last_note) if t])
    milestone = None
    if mr.milestone:
        milestone = {"id": 500 + pid, "iid": 4, "project_id": pid, "title": mr.milestone, "state": "active",
                     "web_url": f"{hosts.GITLAB}/{path}/-/milestones/4"}
    for d in mr.defects:
        d_line = added_line_number(head[d.path], d.line_contains)
        if not any(_is_added(x["diff"], d_line) for x in diffs if x["new_path"] == d.path):
            raise ValueError(f"defect {d.line_contains!r} in {mr.slug} is not an added line")
    return {
        "id": merge_request_id, "iid": mr.iid, "project_id": pid, "title": mr.title,
        "description": resolver.text(mr.description, context="gitlab", project=mr.project),
        "state": mr.state, "created_at": iso_z(mr.created), "updated_at": iso_z(updated),
        "merged_at": iso_z(mr.merged_at) if mr.merged_at else None,
        "merged_by": user(mr.merged_by) if mr.merged_by else None,
        "merge_user": user(mr.merged_by) if mr.merged_by else None,
        "closed_at": iso_z(mr.closed_at) if mr.closed_at else None,
        "closed_by": user(mr.author) if mr.closed_at else None,
        "target_branch": "main", "source_branch": mr.source_branch, "user_notes_count": notes_count,
        "upvotes": 1 if mr.merged_at else 0, "downvotes": 0, "author": user(mr.author),
        "assignees": [user(mr.author)], "assignee": user(mr.author), "reviewers": [user(r) for r in mr.reviewers],
        "source_project_id": pid, "target_project_id": pid, "labels": sorted(mr.labels), "draft": False,
        "work_in_progress": False, "milestone": milestone, "merge_when_pipeline_succeeds": False,
        "merge_status": "can_be_merged", "detailed_merge_status": "mergeable" if mr.state == "opened" else "not_open",
        "sha": head_sha, "merge_commit_sha": None, "squash_commit_sha": None, "discussion_locked": None,
        "should_remove_source_branch": None, "force_remove_source_branch": True, "allow_collaboration": False,
        "allow_maintainer_to_push": False, "reference": f"!{mr.iid}",
        "references": {"short": f"!{mr.iid}", "relative": f"!{mr.iid}", "full": f"{path}!{mr.iid}"},
        "web_url": web_url, "squash": False, "squash_on_merge": False, "has_conflicts": False,
        "blocking_discussions_resolved": True, "prepared_at": iso_z(mr.created),
        "time_stats": {"time_estimate": 0, "total_time_spent": 0, "human_time_estimate": None,
                       "human_total_time_spent": None},
        "task_completion_status": {"count": 0, "completed_count": 0},
        "_commits": [repo.commits[c] for c in reversed(commits)],   # newest first, as GitLab lists them
        "_diffs": diffs,
        "_version": {"id": 900_000 + merge_request_id % 100_000, "head_commit_sha": head_sha,
                     "base_commit_sha": base_sha, "start_commit_sha": base_sha, "created_at": iso_z(mr.created),
                     "merge_request_id": merge_request_id, "state": "collected", "real_size": str(len(diffs)),
                     "patch_id_sha": _sha("patch", head_sha)},
        "_discussions": discussions,
        "_defects": [{"path": d.path, "new_line": added_line_number(head[d.path], d.line_contains),
                      "category": d.category, "explanation": d.explanation} for d in mr.defects],
    }


def _is_added(diff: str, new_line: int) -> bool:
    from demo.diff_lines import diff_line_map
    return diff_line_map(diff).get(("new", new_line)) == "+"


def _note(note_id: int, author: str, body: str, at: dt.datetime, noteable_id: int, noteable_iid: int,
          noteable_type: str, position: dict | None = None, resolved: bool = False) -> dict[str, Any]:
    return {"id": note_id, "type": "DiffNote" if position else ("DiscussionNote" if noteable_type else None),
            "body": body, "attachment": None, "author": user(author), "created_at": iso_z(at),
            "updated_at": iso_z(at), "system": False, "noteable_id": noteable_id, "noteable_type": noteable_type,
            "project_id": None, "resolvable": position is not None, "resolved": resolved if position else False,
            "resolved_by": user(author) if (position and resolved) else None, "confidential": False,
            "internal": False, "noteable_iid": noteable_iid, "commands_changes": {},
            **({"position": position} if position else {})}


def _discussions(mr: MergeRequest, head: Tree, base_sha: str, head_sha: str, mr_id: int, resolver: Resolver,
                 note_ids, web_url: str) -> tuple[list[dict], int, dt.datetime | None]:
    out, count, last = [], 0, None
    for note in sorted(mr.notes, key=lambda n: n.at):
        if note.at < mr.created:
            raise ValueError(f"{mr.slug}: note before the MR was opened")
        position = None
        if note.path:
            position = {"base_sha": base_sha, "start_sha": base_sha, "head_sha": head_sha, "old_path": note.path,
                        "new_path": note.path, "position_type": "text", "old_line": None,
                        "new_line": added_line_number(head[note.path], note.line_contains), "line_range": None}
        body = resolver.text(note.body, context="gitlab", project=mr.project)
        first = _note(next(note_ids), note.author, body, note.at, mr_id, mr.iid, "MergeRequest", position,
                      note.resolved)
        first["project_id"] = hosts.GITLAB_PROJECTS[mr.project][0]
        notes = [first]
        for who, at, text in note.replies:
            if at < note.at:
                raise ValueError(f"{mr.slug}: reply before its note")
            reply = _note(next(note_ids), who, resolver.text(text, context="gitlab", project=mr.project), at, mr_id,
                          mr.iid, "MergeRequest", position, note.resolved)
            reply["project_id"] = first["project_id"]
            notes.append(reply)
        if not position:
            first["type"] = None
        count += len(notes)
        last = max([last] + [note.at] + [r[1] for r in note.replies]) if last else max([note.at] + [r[1] for r in note.replies])
        out.append({"id": _sha("discussion", mr.project, mr.iid, first["id"]),
                    "individual_note": position is None and not note.replies, "notes": notes})
    return out, count, last


def _issue(issue, pid: int, path: str, resolver: Resolver, note_ids) -> dict[str, Any]:
    notes = []
    for c in issue.notes:
        n = _note(next(note_ids), c.author, resolver.text(c.text, context="gitlab", project=issue.project), c.at,
                  800_000 + pid * 1000 + issue.iid, issue.iid, "Issue")
        n["type"], n["project_id"] = None, pid
        notes.append(n)
    updated = max([issue.created] + [c.at for c in issue.notes] + ([issue.closed_at] if issue.closed_at else []))
    return {
        "id": 800_000 + pid * 1000 + issue.iid, "iid": issue.iid, "project_id": pid, "title": issue.title,
        "description": resolver.text(issue.description, context="gitlab", project=issue.project),
        "state": "closed" if issue.closed_at else "opened", "created_at": iso_z(issue.created),
        "updated_at": iso_z(updated), "closed_at": iso_z(issue.closed_at) if issue.closed_at else None,
        "closed_by": user(issue.author) if issue.closed_at else None, "labels": sorted(issue.labels),
        "milestone": None, "assignees": [user(issue.assignee)] if issue.assignee else [],
        "assignee": user(issue.assignee) if issue.assignee else None, "author": user(issue.author),
        "type": "ISSUE", "issue_type": "issue", "user_notes_count": len(notes), "upvotes": 0, "downvotes": 0,
        "due_date": None, "confidential": False, "discussion_locked": None,
        "web_url": f"{hosts.GITLAB}/{path}/-/issues/{issue.iid}",
        "references": {"short": f"#{issue.iid}", "relative": f"#{issue.iid}", "full": f"{path}#{issue.iid}"},
        "time_stats": {"time_estimate": 0, "total_time_spent": 0, "human_time_estimate": None,
                       "human_total_time_spent": None},
        "_notes": notes,
    }
