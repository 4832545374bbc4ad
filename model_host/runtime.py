"""The loaded models and the machinery around them (batcher, chat queue, metrics)."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

from model_host.batching import MicroBatcher
from model_host.embeddings import MODEL_LOAD_LOCK, SentenceTransformerEmbedder, resolve_backend
from model_host.engine_process import EngineProcess, free_port
from model_host.errors import not_ready, unknown_model
from model_host.generation import ChatEngine, GenerationParams
from model_host.index_embedder import load_index_embedder
from model_host.metrics import Metrics, rss_bytes
from model_host.priority import PriorityGate
from model_host.settings import LOGS_DIR, Settings

log = logging.getLogger("model_host")
INDEX_BATCH_TEXTS = 16
SHORT_PASSAGE_CHARS = 300  # passages this short are kept in the embedding cache (see cacheable_for)


async def start_chat_engine(s: Settings) -> ChatEngine:
    """GGUF models: llama-server as a supervised child (continuous batching over `chat_slots`). Others
    (transformers, e.g. the seed's StableLM in 4-bit on a GPU): in process, one generation at a time."""
    if s.llm_is_gguf:
        from model_host.chat_server import LlamaServerChat, server_command
        from model_host.preflight import engine_binary

        port = free_port()
        command = server_command(engine_binary(s), s.llm_source(), port=port, slots=s.chat_slots,
                                 context_tokens=s.context_tokens, threads=s.threads, draft_tokens=s.draft_tokens,
                                 use_gpu=s.use_gpu)
        engine = EngineProcess(command, port=port, log_path=LOGS_DIR / f"llama-server-{s.port}.log")
        chat = LlamaServerChat(engine, model_id=s.llm_model_id, context_tokens=s.context_tokens,
                               slots=s.chat_slots)
        await chat.start()
        return chat
    from model_host.chat_threaded import ThreadedChat
    from model_host.chat_transformers import TransformersChat

    backend = await asyncio.get_running_loop().run_in_executor(None, lambda: TransformersChat(
        s.llm_source(), model_id=s.llm_model_id, context_tokens=s.context_tokens, threads=s.threads,
        use_gpu=s.use_gpu, quantization=s.quantization))
    backend.model_id = s.llm_model_id
    return ThreadedChat(backend)


def load_embedder(s: Settings) -> SentenceTransformerEmbedder:
    if resolve_backend(s.embedding_backend, s.use_gpu) == "onnx-int8":
        from model_host.embeddings_onnx import OnnxInt8Embedder

        return OnnxInt8Embedder(s.embedding_source(), model_id=s.embedding_model_id, threads=s.threads,
                                models_dir=s.models_dir)
    return SentenceTransformerEmbedder(s.embedding_source(), model_id=s.embedding_model_id,
                                       device="cuda" if s.use_gpu else "cpu", threads=s.threads,
                                       dtype=s.embedding_dtype)


def cacheable_for(embedder: SentenceTransformerEmbedder) -> Callable[[Hashable, str], bool]:
    """Queries repeat (the router's labelled examples in every new Lambda environment); so do short
    passages, the sentences /ask's evidence step embeds from the chunks it retrieved (and orders again with
    the index model). An ingest's chunks are longer and embedded once: keeping them would only evict the
    rest."""
    query = embedder.prompt_name("query")
    return lambda key, text: key == query or len(text) <= SHORT_PASSAGE_CHARS


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.embedder: SentenceTransformerEmbedder | None = None
        self.index_embedder: SentenceTransformerEmbedder | None = None  # None while loading, or when off
        self.chat: ChatEngine | None = None
        self.gate: PriorityGate | None = None
        self.load_seconds: float | None = None
        self._started = time.perf_counter()
        self._ready = threading.Event()
        # One thread encodes: torch already uses every core for a batch.
        self._embed_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        # The index model has its own thread, so its slower batches never hold up the default model's requests.
        self._index_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-embed")
        self.batcher: MicroBatcher | None = None
        self.index_batcher: MicroBatcher | None = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def load_embedder(self) -> None:
        """Load the embedding model (blocking, on a thread of its own)."""
        s = self.settings
        log.info("loading embedding model %s", s.embedding_source())
        self.embedder = load_embedder(s)
        with MODEL_LOAD_LOCK:  # a forward pass while another model loads may see its temporary default dtype
            self.embedder.encode(["warm up"])
        log.info("embedding model ready: %s, %d dimensions, %s", self.embedder.model_id, self.embedder.dimension,
                 self.embedder.dtype)

    def load_index_embedder(self) -> None:
        """Load the index model (blocking, on a thread of its own)."""
        s = self.settings
        log.info("loading index model %s", s.index_source())
        started = time.perf_counter()
        index_embedder = load_index_embedder(s)
        with MODEL_LOAD_LOCK:
            index_embedder.encode(["warm up"])
        self.index_embedder = index_embedder
        log.info("index model ready: %s, %d dimensions, %s, in %.1fs", index_embedder.model_id,
                 index_embedder.dimension, index_embedder.dtype, time.perf_counter() - started)

    async def load(self) -> None:
        """Start the chat engine beside the embedding models' loading; the server answers 503 until all
        are ready. Raises when any fails."""
        s = self.settings
        loop = asyncio.get_running_loop()
        embedding = loop.run_in_executor(None, self.load_embedder)
        # Loaded on the thread that will encode with it: torch's OpenMP keeps a worker pool per calling
        # thread, and with more pools than cores libgomp shortens its spin-wait, so a model loaded on one
        # thread and run on another encoded 1.5x slower on 2 cores (47-51 against 72-78 sentences/s).
        indexing = (loop.run_in_executor(self._index_executor, self.load_index_embedder)
                    if s.index_embedding_model else None)
        log.info("starting chat engine for %s", s.llm_source())
        chat = await start_chat_engine(s)
        # One token now: an engine that cannot run on this CPU fails here, at start, where the launcher
        # reports it, rather than at a user's first question.
        prompt = await chat.prepare(chat.format_prompt([{"role": "user", "content": "hi"}]))
        await chat.generate(prompt, GenerationParams(max_tokens=1))
        self.chat = chat
        self.gate = PriorityGate(chat.slots, max_interactive_waiting=s.chat_queue_size,
                                 max_batch_waiting=s.batch_queue_size)
        log.info("chat model ready: %s, context %d tokens, %d slots", chat.model_id, chat.context_tokens, chat.slots)
        await embedding
        if indexing is not None:
            await indexing
        self.load_seconds = time.perf_counter() - self._started
        self._ready.set()
        log.info("models loaded in %.1fs", self.load_seconds)

    async def close(self) -> None:
        if self.chat is not None and hasattr(self.chat, "close"):
            await self.chat.close()
        for batcher in (self.batcher, self.index_batcher):
            if batcher is not None:
                await batcher.stop()

    def _batcher(self, embedder: SentenceTransformerEmbedder, executor: ThreadPoolExecutor,
                 on_batch: Callable[[int, int, float], None], max_texts: int) -> MicroBatcher:
        s = self.settings
        query = embedder.prompt_name("query")
        batcher = MicroBatcher(embedder.encode, executor, max_texts=max_texts,
                               wait_s=s.batch_wait_ms / 1000, on_batch=on_batch, cache_size=s.embedding_cache,
                               cacheable=cacheable_for(embedder), urgent=lambda key: key == query)
        batcher.start()
        return batcher

    def start_batcher(self) -> None:
        """Call from the event loop once the models are loaded."""
        if self.batcher is None:
            assert self.embedder is not None
            self.batcher = self._batcher(self.embedder, self._embed_executor, self.metrics.embedding_batch,
                                         self.settings.batch_max_texts)
        if self.index_batcher is None and self.index_embedder is not None:
            # Small batches: the index model encodes ~13 chunks/s on 2 cores, and a question's query (taken
            # first) waits for the batch being encoded.
            self.index_batcher = self._batcher(self.index_embedder, self._index_executor, self.metrics.index_batch,
                                               min(self.settings.batch_max_texts, INDEX_BATCH_TEXTS))

    def require_embedder(self, model: str | None = None) -> tuple[SentenceTransformerEmbedder, MicroBatcher]:
        """The embedding model a request's `model` names: none, or the default model (by its id or the
        configured value), is the default model, as before; the index model's name is the index model."""
        if not self.ready or self.embedder is None:
            raise not_ready()
        self.start_batcher()
        assert self.batcher is not None
        s = self.settings
        if model is None or model in (self.embedder.model_id, s.embedding_model):
            return self.embedder, self.batcher
        if self.index_embedder is not None and model in (self.index_embedder.model_id, s.index_embedding_model):
            assert self.index_batcher is not None
            return self.index_embedder, self.index_batcher
        served = [self.embedder.model_id] + ([self.index_embedder.model_id] if self.index_embedder else [])
        raise unknown_model(model, served)

    def require_chat(self) -> tuple[ChatEngine, PriorityGate]:
        if not self.ready or self.chat is None or self.gate is None:
            raise not_ready()
        return self.chat, self.gate

    @property
    def engine(self) -> EngineProcess | None:
        return getattr(self.chat, "engine", None)

    def metrics_snapshot(self) -> dict:
        gate = self.gate
        snap = self.metrics.snapshot(
            chat_waiting=gate.waiting() if gate else 0, chat_running=gate.in_flight if gate else 0,
            chat_rejected=sum(gate.rejected.values()) if gate else 0, chat_queue_limit=self.settings.chat_queue_size,
            embedding_queue=self.batcher.depth if self.batcher else 0,
            index_queue=self.index_batcher.depth if self.index_batcher else 0)
        if gate is not None:
            snap["queue"].update(gate.snapshot())
        if self.engine is not None:
            snap["engine"] = {**self.engine.health(), "rss_mb": round(rss_bytes(self.engine.pid) / 2**20, 1)}
            snap["rss_mb_with_engine"] = round(snap["rss_mb"] + snap["engine"]["rss_mb"], 1)
        snap["models"] = {
            "ready": self.ready, "load_s": round(self.load_seconds or 0.0, 2),
            "embedding": self.embedder.model_id if self.embedder else self.settings.embedding_model_id,
            "chat": self.chat.model_id if self.chat else self.settings.llm_model_id,
            "index_embedding": (self.index_embedder.model_id if self.index_embedder
                                else self.settings.index_model_id or None),
        }
        return snap
