"""The vector index in a ChromaDB server: one cosine collection per source (filters on source are the
common case and Chroma's metadata filters get slow at scale), embeddings always passed explicitly
(Chroma's default embedding function would download a model)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

COLLECTION_PREFIX = "teamlens_"


class VectorStoreError(RuntimeError):
    pass


class Replacement(NamedTuple):
    """The full set of chunks one raw object has now."""
    raw_key: str
    ids: Sequence[str]
    texts: Sequence[str]
    embeddings: Sequence[Sequence[float]]
    metadatas: Sequence[dict[str, Any]]


class VectorStore:
    def __init__(self, url: str, embedding_model: str) -> None:
        if not url:
            raise VectorStoreError("CHROMA_URL is not set: the stack does not know where ChromaDB runs")
        u = urlparse(url)
        try:
            self.client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                              ssl=u.scheme == "https",
                                              settings=ChromaSettings(anonymized_telemetry=False))
        except Exception as exc:  # noqa: BLE001 - the client probes the server on creation
            raise VectorStoreError(f"ChromaDB at {url} is unavailable: {exc}") from None
        self.url = url
        self.embedding_model = embedding_model

    def collection(self, source: str):
        # Not cached: a reindex elsewhere drops and recreates collections, and a warm Lambda holding the
        # old handle would write to a collection that no longer exists.
        col = self.client.get_or_create_collection(
            name=f"{COLLECTION_PREFIX}{source}", embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": self.embedding_model})
        return self._checked(col, source)

    def existing_collection(self, source: str):
        """The source's collection, or None when it does not exist yet (searching must not create it)."""
        name = f"{COLLECTION_PREFIX}{source}"
        try:
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        except Exception as exc:  # noqa: BLE001 - connection errors come in many types
            raise VectorStoreError(f"ChromaDB at {self.url} is unavailable: {exc}") from None
        if name not in names:
            return None
        col = self.client.get_collection(name=name, embedding_function=None)
        return self._checked(col, source)

    def _checked(self, col, source: str):
        built_with = (col.metadata or {}).get("embedding_model")
        if built_with and built_with != self.embedding_model:
            raise VectorStoreError(
                f"the {source} index was built with {built_with} but the model host serves "
                f"{self.embedding_model}: run the reindex workflow")
        return col

    def replace(self, source: str, raw_key: str, ids: Sequence[str], texts: Sequence[str],
                embeddings: Sequence[Sequence[float]], metadatas: Sequence[dict[str, Any]]) -> int:
        """Make the chunks of one raw object exactly these: upsert them, drop the ones an edit removed."""
        return self.replace_many(source, [Replacement(raw_key, ids, texts, embeddings, metadatas)])

    def replace_many(self, source: str, items: Sequence[Replacement]) -> int:
        """`replace` for many raw objects in a few calls (one lookup, batched upserts, one delete) rather
        than three per object: per-call overhead, not embedding, dominated a full ingest."""
        if not items:
            return 0
        col = self.collection(source)
        existing = self._ids_of(col, [r.raw_key for r in items])
        rows: dict[str, tuple[str, list[float], dict[str, Any]]] = {}
        for r in items:  # an id twice (two raw objects, one document): the later one wins, as before
            for i, text, emb, meta in zip(r.ids, r.texts, r.embeddings, r.metadatas, strict=True):
                rows[i] = (text, list(emb), {**meta, "raw_key": r.raw_key})
        ids = list(rows)
        docs = [rows[i][0] for i in ids]
        embs = [rows[i][1] for i in ids]
        metas = [rows[i][2] for i in ids]
        step = self._batch_size()
        for start in range(0, len(ids), step):
            end = start + step
            col.upsert(ids=ids[start:end], documents=docs[start:end], embeddings=embs[start:end],
                       metadatas=metas[start:end])
        stale = sorted(existing - set(ids))
        for start in range(0, len(stale), step):
            col.delete(ids=stale[start:start + step])
        return len(stale)

    def delete_raw(self, source: str, raw_key: str) -> int:
        return self.delete_raw_many(source, [raw_key])

    def delete_raw_many(self, source: str, raw_keys: Sequence[str]) -> int:
        if not raw_keys:
            return 0
        col = self.collection(source)
        ids = sorted(self._ids_of(col, raw_keys))
        step = self._batch_size()
        for start in range(0, len(ids), step):
            col.delete(ids=ids[start:start + step])
        return len(ids)

    @staticmethod
    def _ids_of(col, raw_keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(raw_keys), 200):  # keeps the filter (and the request) small
            part = list(raw_keys[start:start + 200])
            where = {"raw_key": part[0]} if len(part) == 1 else {"raw_key": {"$in": part}}
            found |= set(col.get(where=where, include=[])["ids"])
        return found

    def _batch_size(self) -> int:
        try:
            return max(1, min(int(self.client.get_max_batch_size()), 1000))
        except Exception:  # noqa: BLE001 - older servers do not report it
            return 500

    def count(self, source: str) -> int:
        return self.collection(source).count()

    def drop(self, source: str) -> None:
        try:
            self.client.delete_collection(f"{COLLECTION_PREFIX}{source}")
        except Exception:  # noqa: BLE001, S110 - absent already: nothing to drop
            pass
