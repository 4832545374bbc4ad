"""Embeddings from the model host (or any OpenAI-compatible endpoint) through the official openai client,
which retries 429/5xx and connection errors with backoff."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import openai

from teamlens.model_host_client import ModelHostUnavailable, served_model

BATCH = 64  # inputs per request; the model host micro-batches across concurrent requests too
# EmbeddingGemma embeds a chunk ~10x slower than e5-small on 2 cores (~8 chunks/s): smaller requests, so a
# question's query, which the model host takes first, waits for one short batch rather than a long one.
INDEX_BATCH = 16


class EmbeddingError(RuntimeError):
    """The model host could not embed (down, overloaded beyond retries, or refused the input)."""


class Embedder:
    def __init__(self, base_url: str, model: str | None = None, *, api_key: str = "teamlens-local",
                 timeout: float = 60.0, max_retries: int = 4, batch: int = BATCH) -> None:
        if not base_url:
            raise EmbeddingError("MODEL_HOST_URL is not set: the stack does not know where the model host runs")
        self.client = openai.OpenAI(base_url=base_url.rstrip("/") + "/v1", api_key=api_key, timeout=timeout,
                                    max_retries=max_retries)
        self._model = model
        self.base_url = base_url
        self.batch = batch

    @property
    def model(self) -> str:
        if self._model is None:
            try:
                self._model = served_model(self.base_url, "embedding")
            except ModelHostUnavailable as exc:
                raise EmbeddingError(str(exc)) from None
        return self._model

    @classmethod
    def for_index(cls, **kwargs) -> Embedder:
        """The vector index's embedder: the model host's INDEX_EMBEDDING_MODEL, or its default model."""
        from teamlens.settings import settings

        name = settings().index_embedding_model
        batch: dict[str, Any] = {"batch": INDEX_BATCH} if name else {}
        return cls(settings().model_host_url, name or None, **batch, **kwargs)

    def embed(self, texts: Sequence[str], kind: Literal["query", "passage"] = "passage") -> list[list[float]]:
        """Normalized vectors, in input order. `kind` lets asymmetric models (e5) prefix inputs."""
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch):
            try:
                resp = self.client.embeddings.create(model=self.model, input=list(texts[i:i + self.batch]),
                                                     extra_body={"input_type": kind})
            except openai.OpenAIError as exc:
                raise EmbeddingError(f"model host at {self.base_url} failed to embed: {exc}") from None
            out += [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]
        return out
