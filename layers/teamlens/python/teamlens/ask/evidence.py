"""Evidence selection: the few sentences of the retrieved chunks that bear on the question.

Measured on the demo workspace's planted facts, a small CPU model states the fact about half the time from
three or four relevant sentences and about a third of the time from whole chunks (it copies headers and
mixes up dates); the prompt is also shorter, and prompt evaluation is where a CPU spends its time. Sentences
are scored by embedding similarity to the question plus a keyword share, and keep the number of the source
they came from, so citations still point at the right document. What the model restates is its first fact,
nearly always faithfully (planted facts: fact 1 held the answer 44 times and the answer stated it 43 of them),
so the ranking of that first place is what answer correctness comes down to.

Sentences come from the whole text of each source, not the prompt-sized cut of it: the answer is often the
second message of a thread. The question's own words win similarity, so a title that restates the question
outranks the line that answers it; two cheap signals correct for that: a sentence that carries what the
question asks for (a date for "when", an MR reference for "which MR", a number for "how many") gets a bonus,
and a sentence that says again what a picked one said (the same title as the issue's heading and again in its
body) is skipped. The best goes first: the small model leans on the first line, and restates it in its own
language, so a sentence in the question's language gets a small bonus too.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from teamlens.ask.prompts import Source
from teamlens.language import detect_language
from teamlens.retrieval.keywords import bm25_scores

# message and field lines first (chat messages, issue fields), then sentence ends in the three languages
_SPLIT = re.compile(r"\n+|(?<=[.!?])(?<!\.\.)\s+(?=[A-Z0-9\"'(\[])|(?<=[。！？])")  # not at "SELECT ... FOR"
MIN_CHARS, MAX_CHARS = 12, 300
# A chunk's context header and a chat line's clock time are for retrieval and readers; a small model copies
# them into its answer ("[slack #qa-bugs] thread by ... on 2026-11-02: ...", "Mai (02:25): ..."). The GitLab
# and Backlog headers keep their reference ("kumo/booking-api!6: Fix ..."): it is often the answer.
_SLACK_HEADER = re.compile(r"^\[slack #[^\]]+\] (?:thread by .*? on \d{4}-\d{2}-\d{2}:|messages on \S+$)")
_REF_HEADER = re.compile(r"^\[(?:gitlab|backlog) ([^\]]+)\]\s*")
_CLOCK = re.compile(r"^(\S[^:\n]{0,40}?) \(\d{1,2}:\d{2}\): ")
MAX_CANDIDATES = 90
KEYWORD_WEIGHT = 0.02
ANSWER_TYPE_WEIGHT = 0.05  # e5 cosines of the sentences that matter sit within ~0.05 of each other
RANK_WEIGHT = 0.01         # per place of the source in the search ranking
# The model restates its first fact in that fact's language; the demo team posts the same news in two or
# three languages, so among near-equals the question's language goes first (planted facts: 66 of 76 answers
# in the question's language instead of 62, as many correct).
LANGUAGE_WEIGHT = 0.02
SAME_AS_PICKED = 0.93      # cosine above which a sentence repeats one already picked
# The re-scorer orders this many of the e5 ranking's best again (~15 ms a sentence on 2 cores; 10, 20, 30 and
# 45 put the answer first equally often on the labelled questions, bench.evidence).
RESCORE_POOL = 10
RESCORED_BONUS = 1.0       # share of the bonuses above added to the re-scorer's cosine

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}\b|\d{1,2}月\d{1,2}日|\d{1,2}:\d{2}"
                   r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}\b")
# (what the question asks, what a sentence that answers it contains), in English, Japanese and Vietnamese
ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"\bwhen\b|\bwhat date\b|\bdate\b|いつ|何日|日程|期限|khi nào|ngày nào|bao giờ|hạn", re.I), _DATE),
    (re.compile(r"merge request|\bMR\b|マージリクエスト", re.I), re.compile(r"![0-9]+\b")),
    (re.compile(r"\bissue\b|課題|チケット", re.I), re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b")),
    (re.compile(r"how many|how much|how long|\blimit\b|いくつ|何回|何名|何卓|どれくらい|いくら|bao nhiêu|bao lâu"
                r"|giới hạn", re.I), re.compile(r"\d")),
    # "who": a person in a role (the fields of an issue or MR) or deciding, owning, handling something
    (re.compile(r"\bwho\b|\bwhom\b|誰|(?-i:\b[Aa]i\b)|người nào", re.I),
     re.compile(r"\b(?:Author|Assignees?|Reviewers?|Reporter|Merged by)\b:|\bdecided\b|quyết định|決め|決定|担当|対応",
                re.I)),
)


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
    for raw in _SPLIT.split(text):
        piece = clean(raw.strip(" \t-•*>"))
        if len(piece) >= MIN_CHARS:
            out.append(piece[:MAX_CHARS])
    return out


def answer_type_bonus(question: str, sentence: str) -> float:
    """ANSWER_TYPE_WEIGHT for each kind of answer the question asks for that the sentence contains."""
    return ANSWER_TYPE_WEIGHT * sum(1 for asks, answers in ANSWER_TYPES
                                    if asks.search(question) and answers.search(sentence))


def select(question: str, sources: Sequence[Source], embedder, *, top: int = 4,
           rescorer=None) -> list[Evidence]:
    """The `top` best sentences of the sources' whole texts, best first, none repeating another.
    `rescorer`: a stronger embedder (EmbeddingGemma) that orders the RESCORE_POOL best of them again; the
    evidence scores are then its cosines (plus the bonuses), which the relevance floor reads."""
    candidates = [(s.n, sent) for s in sources
                  for sent in dict.fromkeys(sentences(s.passage.text))][:MAX_CANDIDATES]
    if not candidates:
        return []
    texts = [c[1] for c in candidates]
    # e5's asymmetric recipe: the question as a query, the sentences as passages that may answer it. Embedded
    # as queries too, a sentence that restates the question (a title) wins over the one that answers it.
    asked = np.asarray(embedder.embed([question], kind="query")[0], dtype=np.float32)
    vectors = np.asarray(embedder.embed(texts, kind="passage"), dtype=np.float32)
    dense = vectors @ asked
    raw = bm25_scores(question, texts)
    peak = max(raw) or 1.0
    first = min(n for n, _ in candidates)
    language = detect_language(question)
    bonus = [KEYWORD_WEIGHT * r / peak + answer_type_bonus(question, text) - RANK_WEIGHT * (n - first)
             + LANGUAGE_WEIGHT * (detect_language(text) == language)
             for (n, text), r in zip(candidates, raw)]
    scores = [float(d) + b for d, b in zip(dense, bonus)]
    order = sorted(range(len(candidates)), key=lambda i: scores[i], reverse=True)
    if rescorer is not None:
        order = order[:RESCORE_POOL]
        again = rescore(rescorer, question, [texts[i] for i in order])
        scores = [0.0] * len(candidates)
        for i, cosine in zip(order, again):
            scores[i] = cosine + RESCORED_BONUS * bonus[i]
        order.sort(key=lambda i: scores[i], reverse=True)
    picked: list[int] = []
    for i in order:
        if any(float(vectors[i] @ vectors[j]) > SAME_AS_PICKED for j in picked):
            continue
        picked.append(i)
        if len(picked) == top:
            break
    return [Evidence(n=candidates[i][0], text=candidates[i][1], score=scores[i]) for i in picked]


def rescore(rescorer, question: str, texts: Sequence[str]) -> list[float]:
    """Cosines of `texts` to `question` by the re-scorer (query and document prompts)."""
    asked = np.asarray(rescorer.embed([question], kind="query")[0], dtype=np.float32)
    return [float(v) for v in np.asarray(rescorer.embed(list(texts), kind="passage"), dtype=np.float32) @ asked]
