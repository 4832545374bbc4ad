"""Keyword scoring for the hybrid rerank: pure. Dense embeddings blur exact identifiers (`BOOK-24`,
`booking-api!9`, `v2.4`, `date-fns`), which are exactly what people search for; a BM25 score over the
candidate pool brings them back. Japanese has no spaces, so its runs are scored as character bigrams."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

# identifiers first (kept whole), then plain words (Latin incl. Vietnamese letters), then CJK runs
_TOKEN = re.compile(
    r"(?P<ident>[A-Za-z][A-Za-z0-9_]*[-!#/.][A-Za-z0-9_.!#/-]*[A-Za-z0-9]|[!#]\d+|v?\d+(?:\.\d+)+)"
    r"|(?P<word>[0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff]+)"
    r"|(?P<cjk>[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+)"
)
STOP = frozenset(
    "a an and are as at be by did do does for from has have how i in is it its of on or the to was were what "
    "when where which who why will with this that team our we you they your".split()
)
K1, B = 1.2, 0.75


def tokenize(text: str) -> list[str]:
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.group("ident"):
            ident = m.group("ident").lower()
            out.append(ident)
            # also its parts, so "booking-api!9" matches a query for "!9" or "booking-api"
            out += [p for p in re.split(r"[-!#/]", ident) if len(p) > 1 and p != ident]
        elif m.group("word"):
            w = m.group("word").lower()
            if w not in STOP and (len(w) > 1 or w.isdigit()):
                out.append(w)
        else:
            run = m.group("cjk")
            out += [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
    return out


def is_identifier(token: str) -> bool:
    return any(c.isdigit() for c in token) or any(c in token for c in "-!#/.")


def bm25_scores(query: str, docs: Sequence[str]) -> list[float]:
    """BM25 of each doc for the query, with document frequencies from `docs` themselves (the candidate
    pool); identifier tokens in the query weigh double."""
    q_terms = Counter(tokenize(query))
    if not q_terms or not docs:
        return [0.0] * len(docs)
    tokenized = [Counter(tokenize(d)) for d in docs]
    lengths = [sum(t.values()) for t in tokenized]
    avg = sum(lengths) / len(lengths) or 1.0
    n = len(docs)
    df = {term: sum(1 for t in tokenized if term in t) for term in q_terms}
    scores = []
    for tf, length in zip(tokenized, lengths):
        s = 0.0
        for term, qn in q_terms.items():
            f = tf.get(term, 0)
            if not f:
                continue
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            weight = 2.0 if is_identifier(term) else 1.0
            s += weight * qn * idf * f * (K1 + 1) / (f + K1 * (1 - B + B * length / avg))
        scores.append(s)
    return scores
