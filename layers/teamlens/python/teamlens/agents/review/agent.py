"""The merge-request review job: fetch the MR's diffs through the GitLab API, check each reviewable file
(rules, ruff, the model within its budget), merge the findings, and post them inline when asked."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from gitlab.exceptions import GitlabError

from teamlens.agents import connections
from teamlens.agents.args import ReviewMrArgs
from teamlens.agents.errors import AgentError, NotFound, SourceDown
from teamlens.agents.narrative import NarrativeUnavailable
from teamlens.agents.review import findings as fnd
from teamlens.agents.review.diffs import FileDiff, added_lines, skip_reason
from teamlens.agents.review.lint import LinterUnavailable, lint_python
from teamlens.agents.review.model_review import model_findings
from teamlens.agents.review.post import post
from teamlens.agents.review.rules import check
from teamlens.sources import SourceError

MAX_FILES = 60
# "off": no model calls; "report": the model's findings are listed apart, as unverified suggestions;
# "post": they are merged with the static ones (and posted). A small CPU model's findings are mostly noise,
# so inline posting of them is a choice for deployments with a capable model.
MODEL_FINDINGS = os.environ.get("REVIEW_MODEL_FINDINGS", "report")


def open_mr(gl, project: str, iid: int):
    try:
        remote = gl.projects.get(project)
    except GitlabError as exc:
        raise _gitlab_error(exc, f"GitLab project {project}") from None
    try:
        return remote, remote.mergerequests.get(iid)
    except GitlabError as exc:
        raise _gitlab_error(exc, f"merge request {project}!{iid}") from None


def _gitlab_error(exc: GitlabError, what: str) -> AgentError:
    code = exc.response_code
    if code == 404:
        return NotFound(f"{what} was not found (or the teamlens token cannot see it)")
    if code is None or code == 429 or code >= 500:
        return SourceDown(f"GitLab is unavailable ({what}): {code or ''} {exc.error_message}".strip())
    return AgentError(f"GitLab refused {what}: {code} {exc.error_message}")


@dataclass
class Review:
    findings: list[fnd.Finding]
    suggestions: list[fnd.Finding]
    skipped: dict[str, str]
    notes: list[str]
    files: int
    lines: int


def review_diffs(diffs: list[FileDiff], load, *, model, mode: str, language: str, progress,
                 only: dict[str, set[int]] | None = None) -> Review:
    """Rules, ruff and (per `mode`) the model over each reviewable file; generated and lock files skipped.
    `only` ({path: new line numbers}) narrows the review to those lines: an incremental review."""
    if only is not None:
        diffs = [d for d in diffs if only.get(d.new_path)]
    skipped = {d.new_path: why for d in diffs if (why := skip_reason(d))}
    reviewable = [d for d in diffs if d.new_path not in skipped]
    skipped.update({d.new_path: f"over the {MAX_FILES}-file limit" for d in reviewable[MAX_FILES:]})
    reviewable = reviewable[:MAX_FILES]
    static: list[fnd.Finding] = []
    suggestions: list[fnd.Finding] = []
    notes: list[str] = []
    for n, d in enumerate(reviewable):
        progress("reviewing files", n, len(reviewable))
        added = d.added if only is None else {n: t for n, t in d.added.items() if n in only[d.new_path]}
        content = load(d.new_path)
        static += check(d.new_path, d.language, content, added, load)
        if d.language == "python" and content is not None:
            try:
                static += lint_python(d.new_path, content, added)
            except LinterUnavailable as exc:
                notes.append(f"lint skipped for {d.new_path}: {exc}")
        if mode != "off":
            try:
                suggestions += model_findings(model, d.new_path, d.language, d.diff, added, language)
            except NarrativeUnavailable as exc:
                notes.append(str(exc))
    findings = fnd.merge(static + (suggestions if mode == "post" else []))
    return Review(findings=findings, suggestions=[] if mode == "post" else fnd.merge(suggestions), skipped=skipped,
                  notes=notes, files=len(reviewable), lines=sum(len(d.added) for d in reviewable))


def run(raw: dict[str, Any], *, progress, gitlab=None, model=None, model_mode: str | None = None) -> dict[str, Any]:
    args = ReviewMrArgs.model_validate(raw)
    source = gitlab or connections.gitlab()
    mode = model_mode or MODEL_FINDINGS
    progress("reading the merge request")
    remote, mr = open_mr(source.gl, args.project, args.iid)  # type: ignore[arg-type]
    try:
        diffs = [FileDiff.model_validate(d) for d in source.mr_diffs(remote.id, mr.iid)]
    except Exception as exc:  # noqa: BLE001 - python-gitlab raises many types; all mean GitLab is down
        raise SourceDown(f"GitLab is unavailable (diffs of {args.project}!{args.iid}): {exc}") from None
    head = mr.diff_refs["head_sha"]
    only, notes_before = _new_lines(source, remote.id, args.since_sha, head)
    project = {"id": remote.id, "web_url": remote.web_url}
    cache: dict[str, str | None] = {}

    def load(path: str) -> str | None:
        if path not in cache:
            found = source.file(project, path, head)
            cache[path] = found["content"] if found else None
        return cache[path]

    model = model if model is not None or mode == "off" else connections.writer(max_tokens=400)
    review = review_diffs(diffs, load, model=model, mode=mode, language=args.language, progress=progress, only=only)
    findings, suggestions, skipped, notes = review.findings, review.suggestions, review.skipped, notes_before + review.notes

    posting = None
    if args.post:
        progress("posting comments", 0, len(findings))
        posting = post(mr, findings, {d.new_path: d.old_path for d in diffs})
    return {
        "merge_request": {"project": args.project, "iid": args.iid, "title": mr.title, "url": mr.web_url,
                          "head_sha": head, "state": mr.state},
        "files_reviewed": review.files, "added_lines": review.lines, "skipped": skipped,
        "findings": [_dump(f) for f in findings],
        "model_suggestions": [_dump(f) for f in suggestions],
        "posted": posting, "dry_run": not args.post, "notes": notes,
        "incremental": {"since_sha": args.since_sha, "files": len(only)} if only is not None else None,
        "markdown": fnd.markdown(f"{args.project}!{args.iid} {mr.title}", mr.web_url, findings, skipped, notes),
    }


def _new_lines(source, project_id: int, since: str | None, head: str) -> tuple[dict[str, set[int]] | None, list[str]]:
    """The lines the commits after `since` added, per file; (None, note) when the MR has to be reviewed whole."""
    if not since:
        return None, []
    if head.startswith(since.lower()):
        return {}, [f"nothing new since {since[:8]}"]
    try:
        compare = source.compare(project_id, since, head)
    except SourceError as exc:
        if exc.status in (400, 404):  # e.g. a force push dropped the old head: review the whole MR
            return None, [f"{since[:8]} is not in the MR's history any more (force push?): reviewed the whole MR"]
        raise SourceDown(f"GitLab is unavailable (compare {since[:8]}...{head[:8]}): {exc}") from None
    if not compare.get("commits") and not compare.get("compare_same_ref"):
        # `since` is not an ancestor of the head: compare is empty, the new code is not.
        return None, [f"{since[:8]} is not an ancestor of {head[:8]} (force push?): reviewed the whole MR"]
    return {d["new_path"]: set(added_lines(d["diff"])) for d in compare.get("diffs", []) if not d.get("deleted_file")}, []


def _dump(f: fnd.Finding) -> dict[str, Any]:
    return {**f.model_dump(exclude={"line_text"}), "fingerprint": f.fingerprint}
