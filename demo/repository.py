"""A tiny in-memory git: seed trees, edits, unified diffs in GitLab's format, and git-style SHAs."""
from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

from demo.model import FileEdit

SEED_DIR = Path(__file__).parent / "seed_repos"
Tree = dict[str, str]


def load_seed(name: str) -> Tree:
    """Read a seed bundle: '### FILE: path' lines separate files."""
    tree: Tree = {}
    path = None
    for line in (SEED_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("### FILE: "):
            path = line[len("### FILE: "):].strip()
            tree[path] = ""
        elif path is not None:
            tree[path] += line
    return tree


def apply_edits(tree: Tree, edits: list[FileEdit], what: str) -> Tree:
    """old=None: new file; old='': append to the file; otherwise replace `old`, which must occur once."""
    out = dict(tree)
    for e in edits:
        if e.old is None:
            if e.path in out:
                raise ValueError(f"{what}: {e.path} already exists")
            out[e.path] = e.new
        elif e.old == "":
            out[e.path] = out[e.path] + e.new
        else:
            current = out.get(e.path)
            if current is None or current.count(e.old) != 1:
                found = 0 if current is None else current.count(e.old)
                raise ValueError(f"{what}: expected one match in {e.path}, found {found}: {e.old[:60]!r}")
            out[e.path] = current.replace(e.old, e.new)
    return out


def blob_sha(content: str) -> str:
    data = content.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def unified_diff(old: str, new: str) -> str:
    """The hunk text GitLab returns in `diff` (no ---/+++ header lines)."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), n=3)
    body = [ln for ln in lines if not ln.startswith(("---", "+++"))]
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in body)


def file_diffs(base: Tree, head: Tree) -> list[dict]:
    out = []
    for path in sorted(set(base) | set(head)):
        a, b = base.get(path), head.get(path)
        if a == b:
            continue
        out.append({
            "old_path": path, "new_path": path,
            "a_mode": "0" if a is None else "100644", "b_mode": "0" if b is None else "100644",
            "new_file": a is None, "renamed_file": False, "deleted_file": b is None,
            "diff": unified_diff(a or "", b or ""),
            "collapsed": False, "too_large": False, "generated_file": False,
        })
    return out


def added_line_number(content: str, needle: str) -> int:
    """1-based line number of the single line containing `needle`."""
    hits = [i + 1 for i, line in enumerate(content.splitlines()) if needle in line]
    if len(hits) != 1:
        raise ValueError(f"expected one line containing {needle!r}, found {len(hits)}")
    return hits[0]
