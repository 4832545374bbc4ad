"""Documents to chunks for the vector index: each chunk within a token budget, with a context header
that says where it came from, flat scalar metadata (ChromaDB's filters), and a deterministic id.

How each kind is cut (a document's `parts` are its units: messages, comments, notes, hunks, sections):
  slack_thread, slack_day  the whole thread/day when it fits, else windows of messages that overlap
  merge_request            the description alone (split only if it is itself too long), then windows of
                           discussion notes
  gitlab_issue, backlog_issue  the issue body first with comments appended, windowed
  mr_diff                  hunks (split at @@ headers) grouped up to the budget; a hunk that alone is too
                           long becomes several valid sub-hunks with exact line ranges
  code                     top-level sections (def/class/function) grouped up to the budget; a section
                           that alone is too long is cut into line windows
A unit is never cut unless it alone exceeds the budget. Chunk ids are `<document id>#<n>`: a document
always yields the same ids and texts for the same content.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from teamlens.documents import Document, Part
from teamlens.ingestion.diff_hunks import parse_hunks, split_hunk
from teamlens.ingestion.normalize_common import dominant_language
from teamlens.language import detect_language
from teamlens.text_budget import count_tokens, split_text, truncate

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr


class ChunkBudget(BaseModel):
    """Token limits, in text_budget's conservative estimate. The defaults suit multilingual-e5-small
    (512 tokens, 'passage: ' prefix included): 400 estimated tokens stay below 512 real ones, with room for
    the estimate's rare underestimates on short Latin text."""
    model_config = ConfigDict(frozen=True)

    max_tokens: int = Field(default=400, ge=32, description="the whole chunk text, header included")
    overlap_tokens: int = Field(default=96, ge=0,
                                description="how much of a window's end the next conversational window repeats")
    header_max_tokens: int = Field(default=48, ge=8,
                                   description="the context header is cut to this, and to half of max_tokens")


class Chunk(BaseModel):
    id: str = Field(description="<document id>#<index>")
    document_id: str
    index: int
    text: str = Field(description="context header, newline, body")
    tokens: int = Field(description="text_budget.count_tokens(text)")
    metadata: dict[str, Scalar]


@dataclass(frozen=True)
class _Rule:
    overlap: bool
    alone: frozenset[str] = frozenset()  # roles whose units never share a chunk with other roles
    joiner: str = "\n"


RULES: dict[str, _Rule] = {
    "slack_thread": _Rule(overlap=True),
    "slack_day": _Rule(overlap=True),
    "merge_request": _Rule(overlap=True, alone=frozenset({"description"}), joiner="\n\n"),
    "gitlab_issue": _Rule(overlap=True, joiner="\n\n"),
    "backlog_issue": _Rule(overlap=True, joiner="\n\n"),
    "mr_diff": _Rule(overlap=False),
    "code": _Rule(overlap=False),
}
DEFAULT_RULE = _Rule(overlap=True, joiner="\n\n")


@dataclass(frozen=True)
class _Unit:
    text: str
    tokens: int
    part: Part
    line_start: int | None = None  # new-file lines
    line_end: int | None = None
    old_start: int | None = None   # old-file lines (diff hunks)
    old_end: int | None = None


def context_header(doc: Document) -> str:
    """One line that tells retrieval (and a reader of the prompt) where a chunk came from."""
    md = doc.metadata
    day = doc.created_at.date().isoformat()
    if doc.kind == "slack_thread":
        by = f"thread by {doc.author}" if doc.author else "thread"
        return f"[slack #{doc.channel}] {by} on {day}: {doc.title}"
    if doc.kind == "slack_day":
        return f"[slack #{doc.channel}] messages on {md.get('date') or day}"
    if doc.kind == "mr_diff":
        path = md.get("file_path") or doc.title
        flag = ("new file" if md.get("new_file") else "deleted" if md.get("deleted_file")
                else f"renamed from {md.get('old_path')}" if md.get("renamed_file") else "")
        title = f" — {md['mr_title']}" if md.get("mr_title") else ""
        return f"[gitlab {md.get('reference', doc.project)}] {path}{f' ({flag})' if flag else ''}{title}"
    if doc.kind in ("merge_request", "gitlab_issue"):
        return f"[gitlab {md.get('reference', doc.project)}] {doc.title}"
    if doc.kind == "code":
        return f"[gitlab {doc.project}] {md.get('file_path') or doc.title}"
    if doc.kind == "backlog_issue":
        return f"[backlog {md.get('issue_key', doc.project)}] {doc.title}"
    return f"[{doc.source}] {doc.title}"


def chunk_document(doc: Document, budget: ChunkBudget | None = None) -> list[Chunk]:
    """The document's chunks, in order: each is `context_header(doc)` (cut to the header budget), a newline
    and a window of the document's units, within `budget.max_tokens` as text_budget counts them."""
    budget = budget or ChunkBudget()
    header_budget = min(budget.header_max_tokens, budget.max_tokens // 2)
    header = truncate(" ".join(context_header(doc).split()), header_budget)
    room = budget.max_tokens - count_tokens(header)
    rule = RULES.get(doc.kind, DEFAULT_RULE)
    parts = doc.parts or ([Part(text=doc.text)] if doc.text.strip() else [])
    units = [u for part in parts for u in _units(part, room, doc.kind)]
    windows: list[list[_Unit]] = []
    for run in _runs(units, rule):
        overlap = budget.overlap_tokens if rule.overlap else 0
        windows += [run[a:b] for a, b in _windows([u.tokens for u in run], room, overlap)]
    chunks = []
    for index, window in enumerate(windows):
        body = rule.joiner.join(u.text for u in window).rstrip("\n")
        text = f"{header}\n{body}"
        chunks.append(Chunk(id=f"{doc.id}#{index}", document_id=doc.id, index=index, text=text,
                            tokens=count_tokens(text), metadata=_metadata(doc, window, index, len(windows))))
    return chunks


def _units(part: Part, room: int, kind: str) -> list[_Unit]:
    """The part as one unit, or cut into units of at most `room` tokens when it is too long."""
    if kind == "mr_diff" and part.role == "hunk":
        return _hunk_units(part, part.text, room)
    # a code section keeps its trailing blank lines, so that joined sections read as the file does
    text = part.text if part.role == "section" else part.text.rstrip()
    if not text.strip():
        return []
    tokens = count_tokens(text)
    if tokens <= room:
        return [_Unit(text, tokens, part, part.line_start, part.line_end)]
    if part.line_start is not None:
        return _line_units(part, text, room)
    return _prose_units(part, text, room)


def _hunk_units(part: Part, text: str, room: int) -> list[_Unit]:
    _, hunks = parse_hunks(text)
    if not hunks:
        return _prose_units(part, text, room)
    out = []
    for hunk in (piece for h in hunks for piece in split_hunk(h, room)):
        unit = _Unit(hunk.text, count_tokens(hunk.text), part, hunk.new_start, hunk.new_end, hunk.old_start,
                     hunk.old_end)
        # a single line longer than the budget (minified code): cut it, keep the hunk's line ranges
        out += [unit] if unit.tokens <= room else [replace(unit, text=t, tokens=count_tokens(t))
                                                    for t in _strip_all(split_text(hunk.text, room))]
    return out


def _line_units(part: Part, text: str, room: int) -> list[_Unit]:
    """Line windows of a code section, each knowing its first and last line. A window's text is its lines
    without the last line's newline, so that windows joined by newlines read exactly as the file."""
    out = []
    line = part.line_start or 1
    for piece in split_text(text + "\n", room):  # every line terminated, the last one too
        lines = piece.removesuffix("\n")
        if lines.strip():
            out.append(_Unit(lines, count_tokens(lines), part, line, line + lines.count("\n")))
        line += piece.count("\n")
    return out


def _prose_units(part: Part, text: str, room: int) -> list[_Unit]:
    """A long message or comment in pieces; the later ones say whose words they continue."""
    cont = f"({part.author}, continued) " if part.author else "(continued) "
    pieces = _strip_all(split_text(text, room - count_tokens(cont)))
    texts = pieces[:1] + [cont + p for p in pieces[1:]]
    return [_Unit(t, count_tokens(t), part, part.line_start, part.line_end) for t in texts]


def _strip_all(pieces: list[str]) -> list[str]:
    return [p.strip() for p in pieces if p.strip()]


def _runs(units: list[_Unit], rule: _Rule) -> list[list[_Unit]]:
    """Consecutive units that may share chunks: a role in `rule.alone` keeps to its own run."""
    runs: list[list[_Unit]] = []
    last_key: str | None = None
    for unit in units:
        key = unit.part.role if unit.part.role in rule.alone else ""
        if not runs or key != last_key:
            runs.append([])
        runs[-1].append(unit)
        last_key = key
    return runs


def _windows(tokens: list[int], room: int, overlap: int) -> list[tuple[int, int]]:
    """[start, end) windows over units whose token counts sum to at most `room` (a unit is never larger),
    each after the first repeating up to `overlap` tokens of the previous window's last units."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(tokens)
    while start < n:
        end, used = start, 0
        while end < n and (end == start or used + tokens[end] <= room):
            used += tokens[end]
            end += 1
        out.append((start, end))
        if end == n:
            break
        nxt, carried = end, 0
        while (nxt - 1 > start and carried + tokens[nxt - 1] <= overlap
               and carried + tokens[nxt - 1] + tokens[end] <= room):
            nxt -= 1
            carried += tokens[nxt]
        start = nxt
    return out


def _metadata(doc: Document, window: list[_Unit], index: int, count: int) -> dict[str, Any]:
    md: dict[str, Any] = {}
    for key, value in doc.metadata.items():
        flat = _scalar(value)
        if flat is not None:
            md[key] = flat
    first_url = next((u.part.url for u in window if u.part.url), "")
    authors = list(dict.fromkeys(u.part.author for u in window if u.part.author))
    window_parts = [u.part for u in window]
    languages = [p for p in window_parts if p.language]
    md.update({
        "source": doc.source, "kind": doc.kind, "document_id": doc.id, "title": doc.title,
        "url": first_url or doc.url, "document_url": doc.url, "author": doc.author,
        "authors": ", ".join(authors),
        "project": doc.project, "channel": doc.channel,
        "language": (dominant_language(languages) if languages
                     else detect_language("\n".join(u.text for u in window))),
        "created_at": doc.created_at.isoformat(), "updated_at": doc.updated_at.isoformat(),
        "created_ts": _epoch(doc.created_at), "updated_ts": _epoch(doc.updated_at),
        "chunk_index": index, "chunk_count": count,
    })
    if doc.parent_id:
        md["parent_id"] = doc.parent_id
    times = [p.at for p in window_parts if p.at is not None]
    if times:
        md["span_start_ts"], md["span_end_ts"] = _epoch(min(times)), _epoch(max(times))
    starts = [u.line_start for u in window if u.line_start is not None]
    ends = [u.line_end for u in window if u.line_end is not None]
    if starts and ends:
        prefix = "new_line" if doc.kind == "mr_diff" else "line"
        md[f"{prefix}_start"], md[f"{prefix}_end"] = min(starts), max(ends)
    old_starts = [u.old_start for u in window if u.old_start is not None]
    old_ends = [u.old_end for u in window if u.old_end is not None]
    if old_starts and old_ends:
        md["old_line_start"], md["old_line_end"] = min(old_starts), max(old_ends)
    return md


def _scalar(value: Any) -> str | int | float | bool | None:
    """A metadata value ChromaDB accepts (str, int, float, bool), or None to leave it out."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value if v is not None and v != "")
    return None


def _epoch(at: datetime) -> int:
    return int(at.timestamp())
