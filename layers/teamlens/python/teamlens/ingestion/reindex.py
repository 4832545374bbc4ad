"""Rebuild the vector index from the raw data in S3 alone (the source of truth): drop each source's
collection and write a manifest listing every raw object, which the index step then works through."""
from __future__ import annotations

from pydantic import BaseModel

from teamlens.ingestion.fetch import manifest_key
from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.runs import StartIngest
from teamlens.ingestion.state import IngestionState, now_iso
from teamlens.vectorstore import VectorStore


class ReindexPlanRequest(StartIngest):
    run_id: str


class PlannedSource(BaseModel):
    source: str
    run_id: str
    fetch: dict[str, str | int]  # shaped like a fetch outcome, so the index loop reads it the same way


def plan_reindex(request: ReindexPlanRequest, *, store: RawStore, vectors: VectorStore,
                 state: IngestionState) -> list[PlannedSource]:
    planned = []
    for source in request.sources:
        keys = sorted(store.keys(f"raw/{source}/"))
        key = manifest_key(request.run_id, source)
        store.put_json(key, {"source": source, "changed": keys, "deleted": []})
        vectors.drop(source)
        state.record_source_run(request.run_id, source, status="indexing", started_at=now_iso(),
                                changed=len(keys), deleted=0)
        planned.append(PlannedSource(source=source, run_id=request.run_id,
                                     fetch={"manifest_key": key, "changed": len(keys)}))
    return planned
