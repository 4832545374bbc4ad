"""Validate an inline-comment position against the merge request's diff, as GitLab does before it can
compute a line_code. A position GitLab could not place gets GitLab's own 400 message."""
from __future__ import annotations

from typing import Any

from demo.diff_lines import diff_line_map

LINE_CODE_ERROR = "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"


def _as_int(value: Any) -> int | None:
    if value in (None, "", "null"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def position_error(position: Any, version: dict[str, Any], diffs: list[dict[str, Any]]) -> str | None:
    """None when the position is valid, else the error message GitLab returns."""
    if not isinstance(position, dict):
        return "400 Bad request - position is invalid"
    if position.get("position_type", "text") != "text":
        return LINE_CODE_ERROR
    shas = (position.get("base_sha"), position.get("start_sha"), position.get("head_sha"))
    if shas != (version["base_commit_sha"], version["start_commit_sha"], version["head_commit_sha"]):
        return LINE_CODE_ERROR
    new_path, old_path = position.get("new_path") or position.get("old_path"), position.get("old_path")
    diff = next((d for d in diffs if d["new_path"] == new_path or (old_path and d["old_path"] == old_path)), None)
    if diff is None:
        return LINE_CODE_ERROR
    shown = diff_line_map(diff["diff"])
    new_line, old_line = _as_int(position.get("new_line")), _as_int(position.get("old_line"))
    if new_line is None and old_line is None:
        return LINE_CODE_ERROR
    if new_line is not None and old_line is None:
        return None if shown.get(("new", new_line)) in ("+", " ") else LINE_CODE_ERROR
    if old_line is not None and new_line is None:
        return None if shown.get(("old", old_line)) in ("-", " ") else LINE_CODE_ERROR
    return None if shown.get(("new", new_line)) == " " and shown.get(("old", old_line)) == " " else LINE_CODE_ERROR
