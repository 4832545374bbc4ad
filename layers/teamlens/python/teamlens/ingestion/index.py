"""Index the raw objects a fetch changed: normalize, chunk, embed (model host), replace in the vector
store. Edits replace a document's chunks; deletions remove them. Works through a manifest in slices so
one Lambda call stays well inside its timeout; the state machine loops on `next_offset`. An object's
pending mark is cleared only once its chunks are written, so a slice that fails stays pending."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pydantic import BaseModel

from teamlens.embeddings import Embedder
from teamlens.ingestion.chunking import ChunkBudget, chunk_document
from teamlens.ingestion.normalize import documents_from_raw
from teamlens.ingestion.pending import PendingIndex
from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.state import now_iso
from teamlens.vectorstore import Replacement, VectorStore

SLICE = 150  # raw objects per call
READERS = 8  # concurrent S3 reads


class IndexRequest(BaseModel):
    manifest_key: str
    offset: int = 0
    run_id: str | None = None


class IndexOutcome(BaseModel):
    source: str
    manifest_key: str
    objects: int
    chunks: int
    removed: int
    failed: list[str] = []
    next_offset: int | None


def index_manifest(request: IndexRequest, *, store: RawStore, embedder: Embedder, vectors: VectorStore,
                   pending: PendingIndex, budget: ChunkBudget | None = None, slice_size: int = SLICE) -> IndexOutcome:
    manifest = store.get_json(request.manifest_key)
    if manifest is None:
        raise FileNotFoundError(f"manifest {request.manifest_key} does not exist")
    source: str = manifest["source"]
    read_at = now_iso()  # before any raw object is read: marks newer than this belong to a later fetch
    deleted = manifest["deleted"] if request.offset == 0 else []
    removed = vectors.delete_raw_many(source, deleted)
    keys = manifest["changed"][request.offset:request.offset + slice_size]
    rejected: dict[str, str] = {}
    chunks_total, removed_more = index_keys(source, keys, store=store, embedder=embedder, vectors=vectors,
                                            budget=budget, rejected=rejected)
    # Objects the normalizer rejected stay pending: they are retried each run, and indexed by the first
    # run after a fix is deployed, without a reindex.
    pending.clear(source, [*deleted, *(k for k in keys if k not in rejected)], read_at=read_at)
    end = request.offset + len(keys)
    return IndexOutcome(source=source, manifest_key=request.manifest_key, objects=len(keys), chunks=chunks_total,
                        removed=removed + removed_more,
                        failed=[f"{key}: {message}"[:500] for key, message in rejected.items()],
                        next_offset=end if end < len(manifest["changed"]) else None)


def index_keys(source: str, keys: list[str], *, store: RawStore, embedder: Embedder, vectors: VectorStore,
               budget: ChunkBudget | None = None, rejected: dict[str, str] | None = None) -> tuple[int, int]:
    """Returns (chunks written, stale chunks removed); objects that cannot be normalized go to `rejected`
    (key → why)."""
    rejected = {} if rejected is None else rejected
    budget = budget or ChunkBudget()
    per_key: dict[str, list] = {}
    # S3 reads are independent round trips: overlapping them keeps a slice from waiting on each in turn.
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        raws = list(pool.map(store.get_json, keys))
    for key, raw in zip(keys, raws):
        if raw is None:  # deleted after the manifest was written
            per_key[key] = []
            continue
        try:
            per_key[key] = [c for doc in documents_from_raw(key, raw) for c in chunk_document(doc, budget)]
        except ValueError as exc:
            # One malformed object must not block the slice; it is reported, and the raw object stays in
            # S3 for a reindex once the normalizer handles it.
            rejected[key] = str(exc)
    flat = [c for chunks in per_key.values() for c in chunks]
    vectors_by_id = dict(zip((c.id for c in flat), embedder.embed([c.text for c in flat], kind="passage")))
    removed = vectors.replace_many(source, [
        Replacement(key, [c.id for c in chunks], [c.text for c in chunks], [vectors_by_id[c.id] for c in chunks],
                    [c.metadata for c in chunks]) for key, chunks in per_key.items()])
    return len(flat), removed
