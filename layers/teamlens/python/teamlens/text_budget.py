"""Cheap, conservative token counting and splitting, for chunking and prompt packing.

No tokenizer is loaded: the count is an estimate meant to stay at or above what the multilingual
embedding and chat tokenizers (SentencePiece/BPE) produce, so text that "fits" here fits there too.
  - each CJK character (kanji, kana, hangul, full-width forms) counts 1: those tokenizers rarely merge
    more than two, and often emit one per character;
  - a run of letters counts 1/4 per ASCII letter and 1/2 per other letter (Vietnamese syllables with
    diacritics split more often), rounded up, so at least 1 a word; combining marks count 1 each;
  - a run of digits or hex counts 1 per 2 characters: numbers, ids and hashes split finely;
  - any other visible character (punctuation, operators, emoji) counts 1, emoji and other astral
    characters 2;
  - whitespace is free.
The count is subadditive (count(a + b) <= count(a) + count(b)), so packing by summing the parts' counts
never overflows a budget.
"""
from __future__ import annotations

import math
import re

_CJK = (
    "\u1100-\u11ff"   # hangul jamo
    "\u2e80-\u2fdf"   # CJK radicals
    "\u3000-\u303f"   # CJK symbols and punctuation
    "\u3040-\u309f"   # hiragana
    "\u30a0-\u30ff"   # katakana
    "\u3100-\u31ff"   # bopomofo, hangul compat jamo, kanbun, katakana extensions
    "\u3200-\u33ff"   # enclosed CJK letters, CJK compatibility
    "\u3400-\u4dbf"   # CJK extension A
    "\u4e00-\u9fff"   # CJK unified ideographs
    "\uac00-\ud7af"   # hangul syllables
    "\uf900-\ufaff"   # CJK compatibility ideographs
    "\ufe30-\ufe4f"   # CJK compatibility forms
    "\uff00-\uffef"   # half-width and full-width forms
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
CJK_CHAR = re.compile(f"[{_CJK}]")
_TOKEN_RUN = re.compile(
    rf"(?P<cjk>[{_CJK}])"
    rf"|(?P<num>[0-9]+)"
    rf"|(?P<word>[^\W0-9_{_CJK}]+)"
    rf"|(?P<space>\s+)"
    rf"|(?P<other>.)",
    re.DOTALL,
)


def count_tokens(text: str) -> int:
    """A conservative estimate of the tokens `text` costs (see the module docstring)."""
    total = 0
    for m in _TOKEN_RUN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        if kind == "cjk":
            total += 1
        elif kind == "num":
            total += math.ceil(len(m.group()) / 2)
        elif kind == "word":
            word = m.group()
            non_ascii = 0 if word.isascii() else sum(1 for c in word if ord(c) > 0x7F)
            total += math.ceil((len(word) + non_ascii) / 4)  # 1/4 per ASCII letter, 1/2 per other
        else:
            total += 2 if ord(m.group()) > 0xFFFF else 1
    return total


def fits(text: str, max_tokens: int) -> bool:
    return count_tokens(text) <= max_tokens


def truncate(text: str, max_tokens: int, marker: str = "…") -> str:
    """`text` cut so that it (with `marker` appended when cut) fits `max_tokens`."""
    if count_tokens(text) <= max_tokens:
        return text
    room = max(0, max_tokens - count_tokens(marker))
    if not room:
        return ""
    # Fill the room: the coarsest cut alone can waste most of it (a short header line, then a message line
    # too long for what is left, kept only the header), so go on into the rest at finer boundaries.
    kept, rest = "", text
    while rest:
        left = room - count_tokens(kept)
        if left < 1:
            break
        piece = split_text(rest, left)[0]
        if kept and not _ends_at_boundary(piece, rest[len(piece):len(piece) + 1]):
            break  # only a cut inside a word would fit
        kept, rest = kept + piece, rest[len(piece):]
    return kept.rstrip() + marker


def _ends_at_boundary(piece: str, following: str) -> bool:
    """Whether `piece` ends where a reader can stop: a space or punctuation on either side, or CJK text
    (no spaces between words there)."""
    if not following:
        return True
    last = piece[-1:]
    return (not last.isalnum() or not following.isalnum() or bool(CJK_CHAR.match(last))
            or bool(CJK_CHAR.match(following)))


# Where to cut, best first: paragraphs, lines, sentence ends (Latin and CJK), spaces.
_SEPARATORS = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n"),
    re.compile(r"[.!?;:](?:\s+)|[。！？；]\s*"),
    re.compile(r"[、，,]\s*|\s+"),
)


def split_text(text: str, max_tokens: int) -> list[str]:
    """Cut `text` into consecutive pieces of at most `max_tokens` each, cutting at the coarsest boundary
    that works (paragraph, line, sentence, clause or word; characters as the last resort). Lossless:
    ''.join(pieces) == text."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    if count_tokens(text) <= max_tokens:
        return [text] if text else []
    pieces: list[str] = []
    current, current_tokens = "", 0
    for atom in _atoms(text, max_tokens, 0):
        tokens = count_tokens(atom)
        if current and current_tokens + tokens > max_tokens:
            pieces.append(current)
            current, current_tokens = "", 0
        current += atom
        current_tokens += tokens
    if current:
        pieces.append(current)
    return pieces


def _atoms(text: str, max_tokens: int, level: int) -> list[str]:
    """`text` as consecutive atoms of at most `max_tokens` each, split at separator `level` or finer."""
    if count_tokens(text) <= max_tokens:
        return [text]
    if level == len(_SEPARATORS):
        return _hard_cut(text, max_tokens)
    out: list[str] = []
    for piece in _split_after(text, _SEPARATORS[level]):
        out += _atoms(piece, max_tokens, level + 1)
    return out


def _split_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    pieces, start = [], 0
    for m in pattern.finditer(text):
        if start < m.end() < len(text):
            pieces.append(text[start:m.end()])
            start = m.end()
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _hard_cut(text: str, max_tokens: int) -> list[str]:
    """Character cuts, each piece as long as fits (binary search on its length)."""
    out: list[str] = []
    while text:
        lo, hi = 1, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count_tokens(text[:mid]) <= max_tokens:
                lo = mid
            else:
                hi = mid - 1
        out.append(text[:lo])
        text = text[lo:]
    return out


def pack_lines(lines: list[str] | tuple[str, ...], budget: int) -> list[str]:
    """Consecutive lines grouped into texts of at most `budget` tokens each (a longer line stands alone)."""
    out: list[list[str]] = [[]]
    used = 0
    for line in lines:
        cost = count_tokens(line) + 1
        if out[-1] and used + cost > budget:
            out.append([])
            used = 0
        out[-1].append(line)
        used += cost
    return ["\n".join(group) for group in out if group]
