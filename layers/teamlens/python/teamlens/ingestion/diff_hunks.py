"""Unified-diff hunks as GitLab's `/diffs` endpoint returns them (`diff` starts at the first `@@`): parse
them with their line ranges, and cut an oversized hunk into smaller valid hunks with exact headers."""
from __future__ import annotations

import re
from dataclasses import dataclass

from teamlens.text_budget import count_tokens

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str             # the text after the second @@ (GitLab puts the enclosing def/class there)
    lines: tuple[str, ...]   # body lines, each starting with ' ', '+', '-' or '\'

    @property
    def header(self) -> str:
        tail = f" {self.section}" if self.section else ""
        return f"@@ -{self.old_start},{self.old_count} +{self.new_start},{self.new_count} @@{tail}"

    @property
    def text(self) -> str:
        return "\n".join((self.header, *self.lines))

    @property
    def new_end(self) -> int:
        """Last new-file line the hunk shows (its start when it only deletes)."""
        return self.new_start + max(self.new_count, 1) - 1

    @property
    def old_end(self) -> int:
        return self.old_start + max(self.old_count, 1) - 1


def parse_hunks(diff: str) -> tuple[str, list[Hunk]]:
    """(text before the first hunk header, hunks). The preamble is usually empty; a binary or mode-only
    change has no hunks and its whole text is the preamble."""
    preamble: list[str] = []
    hunks: list[Hunk] = []
    header: re.Match[str] | None = None
    body: list[str] = []
    for line in diff.splitlines():
        m = HUNK_HEADER.match(line)
        if m:
            if header:
                hunks.append(_hunk(header, body))
            header, body = m, []
        elif header:
            body.append(line)
        else:
            preamble.append(line)
    if header:
        hunks.append(_hunk(header, body))
    return "\n".join(preamble), hunks


def _hunk(m: re.Match[str], body: list[str]) -> Hunk:
    old_count = int(m.group(2)) if m.group(2) is not None else 1
    new_count = int(m.group(4)) if m.group(4) is not None else 1
    return Hunk(int(m.group(1)), old_count, int(m.group(3)), new_count, m.group(5).strip(), tuple(body))


def split_hunk(hunk: Hunk, max_tokens: int) -> list[Hunk]:
    """Consecutive sub-hunks, each (header included) within `max_tokens` where one line allows it, with
    headers recomputed so that every piece is a valid hunk and its line ranges are exact."""
    if count_tokens(hunk.text) <= max_tokens:
        return [hunk]
    pieces: list[Hunk] = []
    # An empty side's start is the line before it; count from the line after.
    old_line = hunk.old_start + (1 if hunk.old_count == 0 else 0)
    new_line = hunk.new_start + (1 if hunk.new_count == 0 else 0)
    lines: list[str] = []
    start = (old_line, new_line)
    counts = [0, 0]
    used = 0
    header_cost = count_tokens(hunk.header) + 4  # the numbers in a recomputed header may grow a little
    for line in hunk.lines:
        cost = count_tokens(line)
        if lines and header_cost + used + cost > max_tokens:
            pieces.append(Hunk(start[0], counts[0], start[1], counts[1], hunk.section, tuple(lines)))
            lines, counts, used, start = [], [0, 0], 0, (old_line, new_line)
        lines.append(line)
        used += cost
        marker = line[:1]
        if marker in (" ", "-", ""):
            old_line += 1
            counts[0] += 1
        if marker in (" ", "+", ""):
            new_line += 1
            counts[1] += 1
    if lines:
        pieces.append(Hunk(start[0], counts[0], start[1], counts[1], hunk.section, tuple(lines)))
    return [_anchor_empty(p) for p in pieces]


def _anchor_empty(hunk: Hunk) -> Hunk:
    """Unified diff writes the start of an empty side as the line before it (`-0,0` for a new file)."""
    old_start = hunk.old_start - 1 if hunk.old_count == 0 and hunk.old_start > 0 else hunk.old_start
    new_start = hunk.new_start - 1 if hunk.new_count == 0 and hunk.new_start > 0 else hunk.new_start
    return Hunk(old_start, hunk.old_count, new_start, hunk.new_count, hunk.section, hunk.lines)
