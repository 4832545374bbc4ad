"""A source file cut into its top-level sections: Python and TypeScript/JavaScript at top-level
def/class/function (with their decorators and leading comments), Markdown at headings; any other file
is one section (chunking then windows it by lines)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_PY_START = re.compile(r"^(?:@|(?:async\s+)?def\s|class\s)")
_PY_LEAD = re.compile(r"^(?:#|@)")  # comments and decorators belong to the def/class below them
_TS_START = re.compile(
    r"^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:"
    r"(?:async\s+)?function\b"
    r"|(?:abstract\s+)?class\b"
    r"|interface\b|type\s+\w+|enum\b|namespace\b"
    r"|(?:const|let|var)\s+[\w$]+\s*(?::[^=]+)?=\s*(?:async\s+)?(?:\(|function\b|<|[\w$]+\s*=>)"
    r")"
)
_TS_LEAD = re.compile(r"^(?:/\*\*|/\*|\*|\s+\*|//|@)")
_MD_START = re.compile(r"^#{1,6}\s")

PYTHON = (".py", ".pyi")
TYPESCRIPT = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
MARKDOWN = (".md", ".markdown")


@dataclass(frozen=True)
class Section:
    start_line: int  # 1-based, inclusive
    end_line: int
    text: str


def file_language(path: str) -> str:
    lower = path.lower()
    if lower.endswith(PYTHON):
        return "python"
    if lower.endswith(TYPESCRIPT):
        return "typescript" if ".ts" in lower[lower.rfind("."):] else "javascript"
    if lower.endswith(MARKDOWN):
        return "markdown"
    return lower.rsplit(".", 1)[-1] if "." in lower.rsplit("/", 1)[-1] else ""


def code_sections(path: str, content: str) -> list[Section]:
    """Consecutive sections covering every line of `content` (none for an empty file)."""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    if not lines:
        return []
    lang = file_language(path)
    if lang == "python":
        starts = _starts(lines, _PY_START, _PY_LEAD)
    elif lang in ("typescript", "javascript"):
        starts = _starts(lines, _TS_START, _TS_LEAD)
    elif lang == "markdown":
        starts = _markdown_starts(lines)
    else:
        starts = []
    bounds = sorted({0, *starts})
    return [Section(a + 1, b, "\n".join(lines[a:b])) for a, b in zip(bounds, [*bounds[1:], len(lines)])]


def _starts(lines: list[str], start: re.Pattern[str], lead: re.Pattern[str]) -> list[int]:
    """0-based indexes where a top-level definition begins, moved up over the comments, decorators and
    doc comments right above it."""
    out: list[int] = []
    for i, line in enumerate(lines):
        if not start.match(line):
            continue
        j = i
        while j > 0 and lead.match(lines[j - 1]):
            j -= 1
        if not out or j > out[-1]:  # else: the def under a decorator that already started this block
            out.append(j)
    return out


def _markdown_starts(lines: list[str]) -> list[int]:
    out, fenced = [], False
    for i, line in enumerate(lines):
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and _MD_START.match(line):
            out.append(i)
    return out
