"""A merge request's per-file diffs: which new lines were added, which files to skip, and how to split a
large file into pieces the model can read (pure)."""
from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import PurePosixPath

from pydantic import BaseModel

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")

# Lock files and generated output: nobody reviews them line by line, and they would eat the token budget.
SKIPPED = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock", "uv.lock",
           "Cargo.lock", "go.sum", "composer.lock", "Gemfile.lock", "*.min.js", "*.min.css", "*.map",
           "*_pb2.py", "*_pb2_grpc.py", "*.pb.go", "*.generated.*", "*.snap", "*.svg", "*.png", "*.jpg", "*.ico")
SKIPPED_DIRS = ("dist", "build", "vendor", "node_modules", "__generated__", "migrations/versions")


class FileDiff(BaseModel):
    old_path: str
    new_path: str
    diff: str
    new_file: bool = False
    deleted_file: bool = False
    renamed_file: bool = False

    @property
    def added(self) -> dict[int, str]:
        return added_lines(self.diff)

    @property
    def language(self) -> str:
        return language_of(self.new_path)


def skip_reason(d: FileDiff) -> str | None:
    path = PurePosixPath(d.new_path)
    if d.deleted_file:
        return "deleted"
    if any(fnmatch(path.name, pattern) for pattern in SKIPPED):
        return "generated or lock file"
    if any(part in SKIPPED_DIRS for part in path.parts[:-1]) or any(
            d.new_path.startswith(prefix + "/") for prefix in SKIPPED_DIRS):
        return "generated or vendored directory"
    if not d.diff.strip():
        return "no text changes (binary, or mode only)"
    return None


def added_lines(diff: str) -> dict[int, str]:
    """{new line number: text} of the lines a diff adds."""
    out: dict[int, str] = {}
    new = 0
    for line in diff.splitlines():
        if m := HUNK.match(line):
            new = int(m[3])
            continue
        if line.startswith("\\"):
            continue
        if line.startswith("+"):
            out[new] = line[1:]
            new += 1
        elif not line.startswith("-"):
            new += 1
    return out


def hunks(diff: str) -> list[str]:
    parts: list[list[str]] = []
    for line in diff.splitlines():
        if HUNK.match(line) or not parts:
            parts.append([])
        parts[-1].append(line)
    return ["\n".join(p) for p in parts]


def language_of(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return {".py": "python", ".ts": "typescript", ".tsx": "typescript", ".js": "javascript", ".jsx": "javascript",
            ".mjs": "javascript", ".go": "go", ".java": "java", ".rb": "ruby", ".sql": "sql", ".php": "php",
            ".kt": "kotlin", ".rs": "rust", ".cs": "csharp"}.get(suffix, "text")
