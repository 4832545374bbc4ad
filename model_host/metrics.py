"""Counters behind GET /metrics: requests, queue depth, embedding throughput, generation speed."""
from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Any


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.embedding_batches = 0
        self.embedding_requests_batched = 0
        self.embedded_texts = 0
        self.embedding_seconds = 0.0
        # The index model's encoder calls, apart: "embeddings" stays the default model's throughput.
        self.index_batches = 0
        self.index_texts = 0
        self.index_seconds = 0.0
        self.generations = 0
        self.cancelled_generations = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.generation_seconds = 0.0
        self.cached_prompt_tokens = 0
        self.last_tokens_per_s = 0.0
        self.last_first_token_s = 0.0
        # Over the generations whose engine counts forward passes (see Generation.forward_passes).
        self.counted_passes = 0
        self.counted_completion_tokens = 0

    def count_request(self, path: str, status: int) -> None:
        with self._lock:
            self.requests[(path, status)] += 1

    def embedding_batch(self, requests: int, texts: int, seconds: float) -> None:
        with self._lock:
            self.embedding_batches += 1
            self.embedding_requests_batched += requests
            self.embedded_texts += texts
            self.embedding_seconds += seconds

    def index_batch(self, requests: int, texts: int, seconds: float) -> None:
        with self._lock:
            self.index_batches += 1
            self.index_texts += texts
            self.index_seconds += seconds

    def generation(self, prompt_tokens: int, completion_tokens: int, seconds: float,
                   first_token_s: float | None, tokens_per_s: float, forward_passes: int | None = None,
                   cached_tokens: int = 0) -> None:
        with self._lock:
            self.cached_prompt_tokens += cached_tokens
            if forward_passes:
                self.counted_passes += forward_passes
                self.counted_completion_tokens += completion_tokens
            self.generations += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.generation_seconds += seconds
            if tokens_per_s:
                self.last_tokens_per_s = tokens_per_s
            if first_token_s is not None:
                self.last_first_token_s = first_token_s

    def cancelled(self) -> None:
        with self._lock:
            self.cancelled_generations += 1

    def snapshot(self, *, chat_waiting: int, chat_running: int, chat_rejected: int, chat_queue_limit: int,
                 embedding_queue: int, index_queue: int = 0) -> dict[str, Any]:
        with self._lock:
            by_path: dict[str, dict[str, int]] = {}
            for (path, status), n in sorted(self.requests.items()):
                by_path.setdefault(path, {})[str(status)] = n
            return {
                "uptime_s": round(time.time() - self.started, 1),
                "rss_mb": round(rss_bytes() / 2**20, 1),
                "requests": by_path,
                "queue": {"chat_waiting": chat_waiting, "chat_running": chat_running,
                          "chat_limit": chat_queue_limit, "chat_rejected": chat_rejected,
                          "embedding_waiting": embedding_queue, "index_embedding_waiting": index_queue},
                "embeddings": {
                    "texts": self.embedded_texts, "batches": self.embedding_batches,
                    "avg_requests_per_batch": _ratio(self.embedding_requests_batched, self.embedding_batches),
                    "avg_texts_per_batch": _ratio(self.embedded_texts, self.embedding_batches),
                    "texts_per_s_while_encoding": _ratio(self.embedded_texts, self.embedding_seconds),
                    "encoding_s": round(self.embedding_seconds, 2),
                },
                "index_embeddings": {
                    "texts": self.index_texts, "batches": self.index_batches,
                    "texts_per_s_while_encoding": _ratio(self.index_texts, self.index_seconds),
                    "encoding_s": round(self.index_seconds, 2),
                },
                "chat": {
                    "generations": self.generations, "cancelled": self.cancelled_generations,
                    "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                    # Prompt tokens taken from a slot's cache rather than evaluated (the shared system prompt).
                    "cached_prompt_tokens": self.cached_prompt_tokens,
                    "tokens_per_s_avg": _ratio(self.completion_tokens, self.generation_seconds),
                    "tokens_per_s_last": round(self.last_tokens_per_s, 2),
                    "first_token_s_last": round(self.last_first_token_s, 3),
                    # Above 1 when drafted tokens are accepted (n-gram speculation); 0 when the engine does not count.
                    "tokens_per_forward_pass": _ratio(self.counted_completion_tokens, self.counted_passes),
                    # The totals behind the ratio, so a scraper can take it over an interval.
                    "forward_passes": self.counted_passes,
                    "counted_completion_tokens": self.counted_completion_tokens,
                },
            }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else 0.0


def rss_bytes(pid: int | None = None) -> int:
    """Resident memory of a process (this one by default); 0 when it is gone."""
    try:
        import psutil

        return psutil.Process(pid or os.getpid()).memory_info().rss
    except ImportError:  # pragma: no cover - psutil is pinned in requirements
        return 0
    except psutil.Error:  # the engine exited between the check and the read
        return 0
