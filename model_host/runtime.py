"""The loaded models and the machinery around them (batcher, chat queue, metrics)."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from model_host.batching import MicroBatcher
from model_host.chat_queue import ChatScheduler
from model_host.embeddings import SentenceTransformerEmbedder, resolve_backend
from model_host.errors import not_ready
from model_host.generation import ChatBackend, GenerationParams
from model_host.metrics import Metrics
from model_host.settings import Settings

log = logging.getLogger("model_host")
SHORT_PASSAGE_CHARS = 300  # passages this short are kept in the embedding cache (see Runtime._cacheable)


def load_chat_backend(s: Settings) -> ChatBackend:
    if s.llm_is_gguf:
        from model_host.chat_llama import LlamaCppChat

        backend: ChatBackend = LlamaCppChat(s.llm_source(), context_tokens=s.context_tokens, threads=s.threads,
                                            use_gpu=s.use_gpu, draft_tokens=s.draft_tokens)
    else:
        from model_host.chat_transformers import TransformersChat

        backend = TransformersChat(s.llm_source(), model_id=s.llm_model_id, context_tokens=s.context_tokens,
                                   threads=s.threads, use_gpu=s.use_gpu, quantization=s.quantization)
    backend.model_id = s.llm_model_id
    return backend


def load_embedder(s: Settings) -> SentenceTransformerEmbedder:
    if resolve_backend(s.embedding_backend, s.use_gpu) == "onnx-int8":
        from model_host.embeddings_onnx import OnnxInt8Embedder

        return OnnxInt8Embedder(s.embedding_source(), model_id=s.embedding_model_id, threads=s.threads,
                                models_dir=s.models_dir)
    return SentenceTransformerEmbedder(s.embedding_source(), model_id=s.embedding_model_id,
                                       device="cuda" if s.use_gpu else "cpu", threads=s.threads,
                                       dtype=s.embedding_dtype)


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.scheduler = ChatScheduler(settings.chat_queue_size)
        self.embedder: SentenceTransformerEmbedder | None = None
        self.chat: ChatBackend | None = None
        self.load_seconds: float | None = None
        self._ready = threading.Event()
        # One thread encodes: torch already uses every core for a batch.
        self._embed_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        self.batcher: MicroBatcher | None = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def load(self) -> None:
        """Load both models (blocking); the server answers 503 until this returns."""
        s = self.settings
        started = time.perf_counter()
        log.info("loading embedding model %s", s.embedding_source())
        self.embedder = load_embedder(s)
        self.embedder.encode(["warm up"])
        log.info("embedding model ready: %s, %d dimensions, %s", self.embedder.model_id, self.embedder.dimension,
                 self.embedder.dtype)
        log.info("loading chat model %s", s.llm_source())
        self.chat = load_chat_backend(s)
        # One token now: an engine that cannot run on this CPU fails here, at start, where the launcher
        # reports it, rather than at a user's first question.
        chat, prompt = self.chat, self.chat.format_prompt([{"role": "user", "content": "hi"}])
        self.scheduler.run_now(lambda cancel: chat.generate(prompt, GenerationParams(max_tokens=1), cancel))
        log.info("chat model ready: %s, context %d tokens", self.chat.model_id, self.chat.context_tokens)
        self.load_seconds = time.perf_counter() - started
        self._ready.set()
        log.info("models loaded in %.1fs", self.load_seconds)

    def start_batcher(self) -> None:
        """Call from the event loop once the models are loaded."""
        if self.batcher is None:
            assert self.embedder is not None
            self.batcher = MicroBatcher(
                self.embedder.encode, self._embed_executor, max_texts=self.settings.batch_max_texts,
                wait_s=self.settings.batch_wait_ms / 1000,
                on_batch=self.metrics.embedding_batch, cache_size=self.settings.embedding_cache,
                cacheable=self._cacheable)
            self.batcher.start()

    def _cacheable(self, key, text: str) -> bool:
        """Queries repeat (the router's labelled examples in every new Lambda environment); so do short
        passages, the sentences /ask's evidence step embeds from the chunks it retrieved. An ingest's chunks
        are longer and embedded once: keeping them would only evict the rest."""
        assert self.embedder is not None
        return key == self.embedder.prompt_name("query") or len(text) <= SHORT_PASSAGE_CHARS

    def require_embedder(self) -> tuple[SentenceTransformerEmbedder, MicroBatcher]:
        if not self.ready or self.embedder is None:
            raise not_ready()
        self.start_batcher()
        assert self.batcher is not None
        return self.embedder, self.batcher

    def require_chat(self) -> ChatBackend:
        if not self.ready or self.chat is None:
            raise not_ready()
        return self.chat

    def metrics_snapshot(self) -> dict:
        snap = self.metrics.snapshot(
            chat_waiting=self.scheduler.waiting, chat_running=self.scheduler.running,
            chat_rejected=self.scheduler.rejected, chat_queue_limit=self.settings.chat_queue_size,
            embedding_queue=self.batcher.depth if self.batcher else 0)
        snap["models"] = {
            "ready": self.ready, "load_s": round(self.load_seconds or 0.0, 2),
            "embedding": self.embedder.model_id if self.embedder else self.settings.embedding_model_id,
            "chat": self.chat.model_id if self.chat else self.settings.llm_model_id,
        }
        return snap
