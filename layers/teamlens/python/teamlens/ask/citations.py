"""From a generated answer to cited claims: which numbered sources the answer cites, sentences the model left
uncited attributed to the source they overlap most, markers to sources that do not exist dropped. Pure."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from teamlens.ask.prompts import NOT_FOUND, Source
from teamlens.conversations import Citation
from teamlens.language import Language, detect_language

# [1], [1, 2], [1][2], full-width 【1】 and ［1］ that small models like to produce
_MARKER = re.compile(r"[\[［【]\s*(\d{1,2}(?:\s*[,、，]\s*\d{1,2})*)\s*[\]］】]")
# "Hoàng Quốc Bảo: ..." — a speaker's name restated from a chat line says nothing about the answer's language.
_SPEAKER = re.compile(r"^[^\s:.!?。！？][^:.!?。！？\n]{0,40}:\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff_\-.]{2,}|[0-9]")  # a lone digit is a fact ("3卓")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]+")
_NUMBER = re.compile(r"\d+")
SNIPPET_CHARS = 240


def normalize_markers(answer: str, valid: set[int]) -> str:
    """Markers become `[n]` each; numbers that are not a source are removed (a small model invents some)."""
    text = re.sub(r"[ \t]+(?=\[)", " ", renumber(answer, {n: n for n in valid}))
    return "\n".join(_marker_to_end(line) for line in text.splitlines()).strip()


def _marker_to_end(line: str) -> str:
    """A small model echoes facts as "[1] fact": the marker belongs after the claim."""
    m = re.match(r"\s*((?:\[\d+\]\s*)+)[.:)、]?\s*(.+)$", line)
    if not m or not m.group(2).strip():
        return line
    body, markers = m.group(2).rstrip(), m.group(1).replace(" ", "")
    if _MARKER.search(body[-6:]):
        return body
    end = re.search(r"[.!?。！？]$", body)
    return f"{body[:-1]} {markers}{body[-1]}" if end else f"{body} {markers}"


def renumber(answer: str, mapping: dict[int, int]) -> str:
    """Each `[k]` becomes `[mapping[k]]` (dropped when k is not mapped); repeats that this makes collapse."""
    def repl(m: re.Match[str]) -> str:
        nums = [mapping[int(x)] for x in re.findall(r"\d+", m.group(1)) if int(x) in mapping]
        return "".join(f"[{n}]" for n in dict.fromkeys(nums))
    return re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", _MARKER.sub(repl, answer))  # "[1] [1] [1]" from a model that loops


def compact(answer: str, sources: Sequence[Source]) -> tuple[str, list[Source]]:
    """The cited sources numbered 1, 2, ... in the order the answer first cites them, and the answer to match:
    a reader sees [1] first, not [3]."""
    order = {old: new for new, old in enumerate(cited_numbers(answer), start=1)}
    kept = [Source(n=order[s.n], passage=s.passage, text=s.text) for s in sources if s.n in order]
    return renumber(answer, order), sorted(kept, key=lambda s: s.n)


def without_markers(answer: str) -> str:
    return _MARKER.sub("", answer).strip(" .。")


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(unicodedata.normalize("NFKC", without_markers(text)))}


def numbers_kept(answer: str, fact: str, grounds: Iterable[str]) -> bool:
    """Whether an answer that puts `fact` into another language kept its numbers: it states every number of
    the fact that `grounds` (the question, say) does not already hold, and none that the fact and `grounds`
    lack. A small model translating a fact picks the wrong one of two dates ("from 13/11 to 27/11" became
    "11/13/2026") or invents a year ("November 26, 2021" from "thứ Năm 26/11")."""
    given = set().union(*(_numbers(g) for g in grounds))
    stated, held = _numbers(answer), _numbers(fact)
    return held - given <= stated <= held | given


def numbers_grounded(answer: str, grounds: Iterable[str]) -> bool:
    """Whether every number the answer states is in one of `grounds` (the facts shown, the question): a small
    model asked for a date it cannot find writes one ("2023年10月25日")."""
    return _numbers(answer) <= set().union(*(_numbers(g) for g in grounds))


def says_more(answer: str, question: str, facts: Iterable[str]) -> bool:
    """Whether the answer states something of the facts beyond the question's own words. A small model
    sometimes writes markers where the content belongs ("v2.4 was moved to [1] on [2] by [3]")."""
    new = {t for t in _terms(without_markers(answer)) - _terms(question)
           if len(t) >= 3 or not t.isascii() or any(c.isdigit() for c in t)}  # not "to", "on", "by"
    return bool(new & set().union(*(_terms(f) for f in facts)))


def answer_language(answer: str) -> Language:
    """The language an answer is written in, not counting a leading speaker name or the [n] markers."""
    return detect_language(_SPEAKER.sub("", without_markers(answer), count=1))


def attribute_uncited(answer: str, sources: Sequence[Source]) -> str:
    """Append a marker to each sentence that has none, naming the source it shares the most terms with (when
    it shares enough); sentences that are not claims (too short, no overlap) stay as they are."""
    if not sources:
        return answer
    source_terms = {s.n: _terms(s.passage.title + " " + s.text) for s in sources}
    out = []
    for sentence in _SENTENCE_END.split(answer):
        if not sentence or _MARKER.search(sentence):
            out.append(sentence)
            continue
        terms = _terms(sentence)
        best, overlap = max(((n, len(terms & st)) for n, st in source_terms.items()), key=lambda x: x[1])
        # A short sentence ("Tanaka decided it.") has few terms to share: one distinctive term is enough.
        if overlap >= min(2, max(1, len(terms) // 3)):
            out.append(_insert_marker(sentence, best))
        else:
            out.append(sentence)
    return _join(out)


def cited_numbers(answer: str) -> list[int]:
    return list(dict.fromkeys(int(n) for m in _MARKER.finditer(answer) for n in re.findall(r"\d+", m.group(1))))


def citations(answer: str, sources: Sequence[Source]) -> list[Citation]:
    by_n = {s.n: s for s in sources}
    out = []
    for n in sorted(cited_numbers(answer)):
        if n in by_n:
            p = by_n[n].passage
            out.append(Citation(n=n, title=p.title, url=p.url, source=p.source, snippet=snippet(p.text)))
    return out


def is_not_found(answer: str) -> bool:
    flat = answer.strip().rstrip("。.").lower()
    return any(flat.startswith(v.rstrip("。.").lower()) for v in NOT_FOUND.values())


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS - 1].rstrip() + "…"


def _terms(text: str) -> set[str]:
    """Latin words and numbers, plus character bigrams of Japanese runs (no word boundaries there)."""
    words = {w.lower().strip(".-") for w in _WORD.findall(text)}
    bigrams = {run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)}
    return (words | bigrams) - {""}


def _insert_marker(sentence: str, n: int) -> str:
    m = re.search(r"[.!?。！？]\s*$", sentence)
    return f"{sentence[:m.start()]} [{n}]{sentence[m.start():]}" if m else f"{sentence} [{n}]"


def _join(sentences: list[str]) -> str:
    text = ""
    for s in sentences:
        if not s:
            continue
        # Japanese sentences are not separated by spaces.
        sep = "" if not text or text.endswith(("。", "！", "？")) else " "
        text += sep + s
    return text
