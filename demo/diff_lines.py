"""Which old/new line numbers a unified diff shows: shared by the generator and the GitLab simulator."""
from __future__ import annotations

import re

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def diff_line_map(diff: str) -> dict[tuple[str, int], str]:
    """{("new", n): "+" | " ", ("old", n): "-" | " "} for every line the diff displays."""
    shown: dict[tuple[str, int], str] = {}
    old = new = 0
    for line in diff.splitlines():
        m = HUNK.match(line)
        if m:
            old, new = int(m.group(1)), int(m.group(3))
            continue
        if line.startswith("\\"):
            continue
        tag = line[:1] or " "
        if tag == "+":
            shown[("new", new)] = "+"
            new += 1
        elif tag == "-":
            shown[("old", old)] = "-"
            old += 1
        else:
            shown[("new", new)] = " "
            shown[("old", old)] = " "
            old += 1
            new += 1
    return shown
