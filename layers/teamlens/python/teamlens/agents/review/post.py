"""Posting findings as inline MR comments: draft notes at their diff positions, then one bulk publish (the
author gets one notification, not one per comment). A finding whose fingerprint is already in a
discussion or a pending draft is not posted again, so re-runs and retries never duplicate."""
from __future__ import annotations

import re
from collections.abc import Sequence

from gitlab.exceptions import GitlabError

from teamlens.agents.errors import AgentError
from teamlens.agents.review.findings import Finding

_FINGERPRINT = re.compile(r"<!-- teamlens-review:([0-9a-f]{16}) -->")


def posted_fingerprints(mr) -> set[str]:
    found: set[str] = set()
    for discussion in mr.discussions.list(iterator=True):
        for note in discussion.attributes.get("notes", []):
            found.update(_FINGERPRINT.findall(note.get("body") or ""))
    for draft in mr.draft_notes.list(iterator=True):
        found.update(_FINGERPRINT.findall(draft.attributes.get("note") or ""))
    return found


def position(refs: dict, f: Finding, old_path: str) -> dict:
    return {"position_type": "text", "base_sha": refs["base_sha"], "start_sha": refs["start_sha"],
            "head_sha": refs["head_sha"], "new_path": f.file, "old_path": old_path, "new_line": f.new_line}


def post(mr, findings: Sequence[Finding], old_paths: dict[str, str]) -> dict:
    try:
        refs = mr.diff_refs
        already = posted_fingerprints(mr)
        fresh = [f for f in findings if f.fingerprint not in already]
        for f in fresh:
            mr.draft_notes.create({"note": f.comment(), "position": position(refs, f, old_paths.get(f.file, f.file))})
        if fresh or any(True for _ in mr.draft_notes.list(iterator=True)):
            mr.draft_notes.bulk_publish()
    except GitlabError as exc:
        raise AgentError(f"posting the review to {mr.references.get('full', 'the merge request')} failed: "
                         f"{exc.response_code} {exc.error_message}") from None
    return {"posted": len(fresh), "already_posted": len(findings) - len(fresh)}
