"""Evidence selection: the few sentences of the retrieved chunks that bear on the question.

Measured on the demo workspace's planted facts, a small CPU model states the fact about half the time from
three or four relevant sentences and about a third of the time from whole chunks (it copies headers and
mixes up dates); the prompt is also shorter, and prompt evaluation is where a CPU spends its time. Sentences
are scored by embedding similarity to the question (one batch call) plus a keyword share, and keep the
number of the source they came from, so citations still point at the right document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from teamlens.ask.prompts import Source
from teamlens.retrieval.keywords import bm25_scores

# message and field lines first (chat messages, issue fields), then sentence ends in the three languages
_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|(?<=[。！？])")
MIN_CHARS, MAX_CHARS = 12, 300
# A chunk's context header and a chat line's clock time are for retrieval and readers; a small model copies
# them into its answer ("[slack #qa-bugs] thread by ... on 2026-11-02: ...", "Mai (02:25): ..."). The GitLab
# and Backlog headers keep their reference ("kumo/booking-api!6: Fix ..."): it is often the answer.
_SLACK_HEADER = re.compile(r"^\[slack #[^\]]+\] (?:thread by .*? on \d{4}-\d{2}-\d{2}:|messages on \S+$)")
_REF_HEADER = re.compile(r"^\[(?:gitlab|backlog) ([^\]]+)\]\s*")
_CLOCK = re.compile(r"^(\S[^:\n]{0,40}?) \(\d{1,2}:\d{2}\): ")
MAX_CANDIDATES = 60
KEYWORD_WEIGHT = 0.04


@dataclass(frozen=True)
class Evidence:
    n: int        # the source it came from
    text: str
    score: float


def clean(piece: str) -> str:
    """A header or chat line as a plain statement: a Slack header goes (its first message follows it in
    full), a GitLab/Backlog header keeps its reference, a chat line loses its clock time."""
    if _SLACK_HEADER.match(piece):
        return ""
    piece = _REF_HEADER.sub(r"\1: ", piece)
    return _CLOCK.sub(r"\1: ", piece).rstrip("…").strip()


def sentences(text: str) -> list[str]:
    out = []
    for piece in _SPLIT.split(text):
        piece = clean(piece.strip(" \t-•*>"))
        if len(piece) >= MIN_CHARS:
            out.append(piece[:MAX_CHARS])
    return out


def select(question: str, sources: Sequence[Source], embedder, *, top: int = 4) -> list[Evidence]:
    """The `top` best sentences, in source order (the model reads them as a short list of facts)."""
    candidates = [(s.n, sent) for s in sources for sent in dict.fromkeys(sentences(s.text))][:MAX_CANDIDATES]
    if not candidates:
        return []
    vectors = np.asarray(embedder.embed([question] + [c[1] for c in candidates], kind="query"), dtype=np.float32)
    dense = vectors[1:] @ vectors[0]
    raw = bm25_scores(question, [c[1] for c in candidates])
    peak = max(raw) or 1.0
    scored = [Evidence(n=n, text=text, score=float(d) + KEYWORD_WEIGHT * r / peak)
              for (n, text), d, r in zip(candidates, dense, raw)]
    best = sorted(scored, key=lambda e: e.score, reverse=True)[:top]
    return sorted(best, key=lambda e: (e.n, candidates.index((e.n, e.text))))
