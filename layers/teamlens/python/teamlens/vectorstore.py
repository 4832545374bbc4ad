"""The vector index in a ChromaDB server: one cosine collection per source (filters on source are the
common case and Chroma's metadata filters get slow at scale), embeddings always passed explicitly
(Chroma's default embedding function would download a model)."""
from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

COLLECTION_PREFIX = "teamlens_"


class VectorStoreError(RuntimeError):
    pass


class VectorStore:
    def __init__(self, url: str, embedding_model: str) -> None:
        if not url:
            raise VectorStoreError("CHROMA_URL is not set: the stack does not know where ChromaDB runs")
        u = urlparse(url)
        try:
            self.client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                              ssl=u.scheme == "https",
                                              settings=ChromaSettings(anonymized_telemetry=False))
        except Exception as exc:  # the client probes the server on creation
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
        col = self.collection(source)
        existing = set(col.get(where={"raw_key": raw_key}, include=[])["ids"])
        if ids:
            col.upsert(ids=list(ids), documents=list(texts), embeddings=[list(e) for e in embeddings],
                       metadatas=[{**m, "raw_key": raw_key} for m in metadatas])
        stale = sorted(existing - set(ids))
        if stale:
            col.delete(ids=stale)
        return len(stale)

    def delete_raw(self, source: str, raw_key: str) -> int:
        col = self.collection(source)
        ids = col.get(where={"raw_key": raw_key}, include=[])["ids"]
        if ids:
            col.delete(ids=ids)
        return len(ids)

    def count(self, source: str) -> int:
        return self.collection(source).count()

    def drop(self, source: str) -> None:
        try:
            self.client.delete_collection(f"{COLLECTION_PREFIX}{source}")
        except Exception:  # noqa: BLE001 - absent already: nothing to drop
            pass
