"""Search the index: embed the query once, query each relevant per-source collection with the filters,
rerank the pooled candidates by dense similarity plus a keyword score, keep one chunk a document and one
of near-identical chunks.

A phrase the user quotes ("Issue Backlog nào theo dõi vấn đề \"slow restaurant search\"?") is what they
insist on: it is embedded on its own too and the query vector is the mean of the two, so the words around
it (in another language than the phrase, often) do not drown it. Measured on the labelled questions:
recall@5 0.834 -> 0.870, nothing lost."""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from teamlens.embeddings import Embedder
from teamlens.retrieval.filters import SearchFilters, where_clause
from teamlens.retrieval.keywords import bm25_scores
from teamlens.vectorstore import VectorStore, VectorStoreError

POOL = 50               # candidates per collection before the rerank (30 -> 50: recall@5 +0.01, ~2 ms)
KEYWORD_WEIGHT = 0.03   # e5 cosine similarities of related and unrelated texts differ by ~0.05-0.15
PER_DOCUMENT = 1        # a document's best chunk stands for it: five different documents beat five chunks of one
# Source files match questions by vocabulary alone: they rank below discussions unless the query names code.
# Translation files count as source files in MR diffs too: lists of UI strings in one language match any
# question in that language (their diffs filled the GitLab pool for Vietnamese questions).
CODE_PENALTY = 0.05
# A channel-day document strings together a day's unrelated top-level messages: its vector sits near the
# middle of many topics, so it matched many questions moderately and took places from the threads that
# answer them. Ranked a little below a coherent unit (0.01-0.03 measured alike: recall@5 +0.005, nothing lost).
DIGEST_PENALTY = 0.02
# Chunks this close (cosine of their vectors) say the same thing, e.g. a templated message posted again and
# again: the best stands for the others, so the rest of the top k can show something else.
NEAR_DUPLICATE = 0.97
_TRANSLATION_FILE = re.compile(r"(^|/)(i18n|locales?|translations?|lang)/|\.(po|pot|xliff|arb)$", re.I)
_CODE_QUERY = re.compile(r"[\w/]+\.(py|ts|tsx|js|json|sql|ya?ml|md)\b|\w+\(\)|`[^`]+`|\bdef\b|\bfunction\b|\bfile\b", re.I)


class Hit(BaseModel):
    id: str
    text: str
    score: float
    dense: float
    keyword: float
    source: str
    url: str
    title: str
    metadata: dict[str, Any]
    # The chunk's vector (a numpy array from Chroma, or a list), for near-duplicate checks; never serialized.
    vector: Any = Field(default=None, exclude=True, repr=False)


# A question that names where its answer lives ("which Backlog issue", "which MR") prefers that source.
SOURCE_HINT_BOOST = 0.03
_SOURCE_HINTS = {
    "backlog": re.compile(r"backlog|課題|チケット|\bticket\b", re.I),
    "gitlab": re.compile(r"merge request|\bMR\b|マージリクエスト|gitlab|\bcommit\b|!\d+", re.I),
    "slack": re.compile(r"slack|チャンネル|\bkênh\b|#[a-z][\w-]+", re.I),
}


_QUOTED = re.compile(r'"([^"]{3,200})"|“([^”]{3,200})”|「([^」]{3,200})」|『([^』]{3,200})』')


def quoted_phrases(query: str) -> list[str]:
    """Phrases in double quotes or Japanese corner brackets, in order (at least 3 characters each)."""
    phrases = [next(g for g in m.groups() if g).strip() for m in _QUOTED.finditer(query)]
    bare = query.strip().strip('"“”「」『』 ').strip()
    return [p for p in phrases if p and p != bare]


def query_vector(vectors: Sequence[Sequence[float]]) -> tuple[list[float], float]:
    """The query's vector from [question, *quoted phrases] embeddings: the question's own, or the mean of it
    and the phrases' mean. Returns the vector and its length: cosine to the unit vector times the length is
    the mean of the two cosines, which keeps scores on the scale MIN_RELEVANCE and the weights assume."""
    question, phrases = list(vectors[0]), [list(v) for v in vectors[1:]]
    if not phrases:
        return question, 1.0
    dim = len(question)
    phrase = [sum(v[i] for v in phrases) / len(phrases) for i in range(dim)]
    mean = [(question[i] + phrase[i]) / 2 for i in range(dim)]
    return mean, math.sqrt(sum(x * x for x in mean)) or 1.0


def is_source_file(hit: Hit) -> bool:
    """A file of the repository rather than a discussion of it: code, or a translation file or its diff."""
    kind = hit.metadata.get("kind")
    return kind == "code" or (kind == "mr_diff" and bool(_TRANSLATION_FILE.search(str(hit.metadata.get("file_path", "")))))


def source_hints(query: str) -> set[str]:
    return {source for source, pattern in _SOURCE_HINTS.items() if pattern.search(query)}


def rerank(candidates: Sequence[Hit], query: str, k: int, keyword_weight: float | None = None,
           per_document: int = PER_DOCUMENT) -> list[Hit]:
    """Pure: fuse dense and (pool-normalized) keyword scores, collapse per document and near duplicates, take k."""
    weight = KEYWORD_WEIGHT if keyword_weight is None else keyword_weight
    raw = bm25_scores(query, [f"{c.title}\n{c.text}" for c in candidates])
    top = max(raw, default=0.0) or 1.0
    penalty = 0.0 if _CODE_QUERY.search(query) else CODE_PENALTY
    hinted = source_hints(query)
    scored = [c.model_copy(update={
        "keyword": round(r / top, 4),
        "score": round(c.dense + weight * r / top - (penalty if is_source_file(c) else 0.0)
                       - (DIGEST_PENALTY if c.metadata.get("kind") == "slack_day" else 0.0)
                       + (SOURCE_HINT_BOOST if c.source in hinted else 0.0), 4)})
        for c, r in zip(candidates, raw)]
    scored.sort(key=lambda h: h.score, reverse=True)
    out: list[Hit] = []
    kept: list[np.ndarray] = []  # unit vectors of the hits in `out` that have one
    per_doc: dict[str, int] = {}
    for h in scored:
        doc = str(h.metadata.get("document_id") or h.id)
        if per_doc.get(doc, 0) >= per_document:
            continue
        unit = _unit(h.vector)
        if unit is not None and any(float(unit @ other) > NEAR_DUPLICATE for other in kept):
            continue
        per_doc[doc] = per_doc.get(doc, 0) + 1
        out.append(h)
        if unit is not None:
            kept.append(unit)
        if len(out) == k:
            break
    return out


def _unit(vector: Any) -> np.ndarray | None:
    if vector is None or len(vector) == 0:
        return None
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else None


class Retriever:
    def __init__(self, embedder: Embedder, vectors: VectorStore, *, pool: int = POOL) -> None:
        self.embedder, self.vectors, self.pool = embedder, vectors, pool

    def search(self, query: str, k: int = 8, filters: SearchFilters | None = None) -> list[Hit]:
        filters = filters or SearchFilters()
        vector, length = query_vector(self.embedder.embed([query, *quoted_phrases(query)], kind="query"))
        candidates: list[Hit] = []
        for source in filters.sources():
            candidates += self._query(source, vector, where_clause(filters), max(self.pool, k * 3), length)
        return rerank(candidates, query, k)

    def _query(self, source: str, vector: list[float], where: dict | None, n: int,
               length: float = 1.0) -> list[Hit]:
        try:
            col = self.vectors.existing_collection(source)
            if col is None:  # nothing ingested from this source yet
                return []
            res = col.query(query_embeddings=[vector], n_results=n, where=where,
                            include=["documents", "metadatas", "distances", "embeddings"])
        except VectorStoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - chroma raises assorted errors for a server that went away
            raise VectorStoreError(f"ChromaDB query on {source} failed: {exc}") from None
        hits = []
        vectors = res.get("embeddings")
        vectors = vectors[0] if vectors is not None and len(vectors) else [None] * len(res["ids"][0])
        for id_, text, raw_md, dist, vec in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                                res["distances"][0], vectors):
            md = dict(raw_md or {})
            dense = round((1.0 - float(dist)) * length, 4)
            hits.append(Hit(id=id_, text=text or "", score=dense, dense=dense, keyword=0.0, source=source,
                            url=str(md.get("url") or md.get("document_url") or ""), title=str(md.get("title", "")),
                            metadata=md, vector=vec))
        return hits
