"""Ruff on a changed Python file at the MR's head, keeping only diagnostics on the lines the MR adds."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from teamlens.agents.review.findings import Finding

# Rules with few false positives that catch real defects; style is the project's own linter's business.
SELECT = ("E722", "F821", "F841", "F811", "B006", "B008", "B904", "E711", "E712", "S105", "S106", "S307",
          "S324", "S506", "S602", "S608", "PLE", "RUF006", "ASYNC")
CATEGORY = {"E722": "bare_except", "S608": "sql_injection", "S105": "hardcoded_secret", "S106": "hardcoded_secret",
            "F821": "bug", "F811": "bug", "B006": "bug", "B008": "bug", "RUF006": "bug", "S307": "security",
            "S324": "security", "S506": "security", "S602": "security"}
SEVERITY = {"S": "critical", "F821": "critical", "E722": "major", "B": "major", "RUF006": "major"}


class LinterUnavailable(RuntimeError):
    pass


@lru_cache(maxsize=1)
def ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin

        found = find_ruff_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
    if not found:
        raise LinterUnavailable("ruff is not installed")
    if not os.access(found, os.X_OK):
        # A layer unpacked without file modes: run a private executable copy.
        copy = Path(tempfile.gettempdir()) / "ruff"
        shutil.copyfile(found, copy)
        copy.chmod(copy.stat().st_mode | stat.S_IXUSR)
        found = str(copy)
    return found


def lint_python(path: str, content: str, added: dict[int, str], timeout: float = 30.0) -> list[Finding]:
    cmd = [ruff_binary(), "check", "--no-cache", "--isolated", "--output-format", "json", "--exit-zero",
           "--select", ",".join(SELECT), "--stdin-filename", path, "-"]
    try:
        proc = subprocess.run(cmd, check=False, input=content, capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LinterUnavailable(f"ruff failed to run: {exc}") from None
    if proc.returncode != 0:
        raise LinterUnavailable(f"ruff exited {proc.returncode}: {proc.stderr.strip()[:300]}")
    out = []
    for d in json.loads(proc.stdout or "[]"):
        line, code = d["location"]["row"], d.get("code") or "lint"
        if line not in added:
            continue
        fix = (d.get("fix") or {}).get("message") or ""
        out.append(Finding(file=path, new_line=line, line_text=added[line], source="lint", rule=f"ruff {code}",
                           category=CATEGORY.get(code, "lint"),
                           severity=SEVERITY.get(code, SEVERITY.get(code[:1], "minor")),
                           message=d["message"], suggestion=fix))
    return out
