"""A synchronous backend (transformers) behind the async engine interface: one generation at a time, on
one thread of its own (neither the model nor its tokenizer is safe to call from two threads)."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from model_host.generation import Generation, GenerationParams, OnText, Prompt, SyncChatBackend


class ThreadedChat:
    slots = 1

    def __init__(self, backend: SyncChatBackend) -> None:
        self.backend = backend
        self.model_id = backend.model_id
        self.context_tokens = backend.context_tokens
        self.constrained = backend.constrained
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat")

    def format_prompt(self, messages: list[dict[str, Any]]) -> str:
        return self.backend.format_prompt(messages)

    async def prepare(self, text: str) -> Prompt:
        return Prompt(text, self.backend.count_tokens(text))

    async def generate(self, prompt: Prompt, params: GenerationParams, on_text: OnText | None = None) -> Generation:
        cancel = threading.Event()
        job = asyncio.get_running_loop().run_in_executor(
            self._executor, self.backend.generate, prompt.text, params, cancel, on_text)
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            cancel.set()  # the generation loop polls it between tokens
            raise

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
