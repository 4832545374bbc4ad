"""A review finding, its fingerprint (what makes a re-run recognise a comment it already posted) and the
markdown a reader sees (pure)."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["critical", "major", "minor", "info"]
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "info": 3}
Category = Literal["security", "hardcoded_secret", "sql_injection", "bug", "off_by_one", "missing_await",
                   "bare_except", "error_handling", "performance", "style", "maintainability", "lint"]
MARKER = "<!-- teamlens-review:{fp} -->"


class Finding(BaseModel):
    file: str
    new_line: int = Field(ge=1)
    severity: Severity
    category: Category
    message: str
    suggestion: str = ""
    source: Literal["rule", "lint", "model"] = "rule"
    rule: str = ""
    line_text: str = ""

    @property
    def fingerprint(self) -> str:
        # The line's text, not its number: a commit that shifts lines must not make an old comment look new.
        key = f"{self.file}\n{' '.join(self.line_text.split())}\n{self.category}"
        return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:16]

    def comment(self) -> str:
        body = f"**{self.severity}** · {self.category.replace('_', ' ')}: {self.message}"
        if self.suggestion:
            body += f"\n\nSuggested change:\n```\n{self.suggestion}\n```"
        return f"{body}\n\n_teamlens review ({self.source}{': ' + self.rule if self.rule else ''})_\n{MARKER.format(fp=self.fingerprint)}"


def merge(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per file, line and category: rules first, then the linter, then the model."""
    rank = {"rule": 0, "lint": 1, "model": 2}
    seen: dict[tuple[str, int, str], Finding] = {}
    for f in sorted(findings, key=lambda f: rank[f.source]):
        seen.setdefault((f.file, f.new_line, f.category), f)
    return sorted(seen.values(), key=lambda f: (f.file, f.new_line, SEVERITY_ORDER[f.severity]))


def markdown(title: str, url: str, findings: Sequence[Finding], skipped: dict[str, str], notes: Sequence[str]) -> str:
    out = [f"## Review of [{title}]({url})", ""]
    if not findings:
        out.append("No findings.")
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    if counts:
        out.append(", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: SEVERITY_ORDER[kv[0]])))
        out.append("")
        out.append("| file | line | severity | category | finding |")
        out.append("|---|---|---|---|---|")
        for f in findings:
            message = f.message.replace("|", "\\|")
            out.append(f"| `{f.file}` | {f.new_line} | {f.severity} | {f.category} | {message} |")
    if skipped:
        out += ["", "Skipped: " + ", ".join(f"`{p}` ({why})" for p, why in skipped.items())]
    if notes:
        out += ["", *[f"_{n}_" for n in notes]]
    return "\n".join(out) + "\n"
