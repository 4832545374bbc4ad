"""POST /search: ranked chunks for a query, with score, text, url, source and metadata."""
from __future__ import annotations

import time
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from teamlens.retrieval.filters import SearchFilters


def _stripped_not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be blank")
    return v.strip()


NonBlank = Annotated[str, AfterValidator(_stripped_not_blank)]


class SearchRequest(BaseModel):
    query: NonBlank = Field(min_length=1, max_length=2000)
    k: int = Field(default=8, ge=1, le=50)
    filters: SearchFilters | None = None


class SearchResult(BaseModel):
    id: str
    score: float
    text: str
    title: str
    url: str
    source: str
    metadata: dict[str, Any]


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]
    timings_ms: dict[str, float]


def run_search(retriever, request: SearchRequest) -> SearchResponse:
    started = time.monotonic()
    hits = retriever.search(request.query, k=request.k, filters=request.filters)
    results = [SearchResult(id=h.id, score=h.score, text=h.text, title=h.title, url=h.url, source=h.source,
                            metadata=h.metadata) for h in hits]
    return SearchResponse(query=request.query, results=results,
                          timings_ms={"total": round((time.monotonic() - started) * 1000, 1)})
