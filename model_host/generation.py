"""What every chat engine takes and returns, independent of the engine behind it."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

OnText = Callable[[str], None]


class Cancelled(Exception):
    """The client went away before or during its generation."""


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int
    temperature: float = 0.7
    top_p: float = 0.95
    stop: tuple[str, ...] = ()
    seed: int | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    # Constrained decoding: a JSON schema, or json_mode for "any JSON object".
    schema: dict[str, Any] | None = field(default=None, hash=False, compare=False)
    json_mode: bool = False


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt as the engine will see it: its text, its length in tokens, and (where the engine
    takes them) the tokens themselves, so it is tokenized once."""
    text: str
    count: int
    tokens: list[int] | None = None


@dataclass
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" | "length"
    seconds: float
    first_token_s: float | None
    # Forward passes over the model while generating, where the engine counts them: with drafted tokens
    # (n-gram speculation) fewer than the completion tokens.
    forward_passes: int | None = None
    cached_tokens: int = 0  # prompt tokens the engine took from a slot's cache instead of evaluating

    @property
    def tokens_per_s(self) -> float:
        decode_s = self.seconds - (self.first_token_s or 0.0)
        return self.completion_tokens / decode_s if decode_s > 0 and self.completion_tokens > 1 else 0.0


class ChatEngine(Protocol):
    """An engine behind the model host's chat API. `slots`: generations it decodes at once."""
    model_id: str
    context_tokens: int
    constrained: bool  # True when schema output is enforced while decoding (else validated afterwards)
    slots: int

    def format_prompt(self, messages: list[dict[str, Any]]) -> str: ...

    async def prepare(self, text: str) -> Prompt: ...

    async def generate(self, prompt: Prompt, params: GenerationParams, on_text: OnText | None = None) -> Generation:
        """Cancelling the awaiting task stops the generation."""
        ...


class SyncChatBackend(Protocol):
    """A synchronous, one-at-a-time backend (transformers), run by ThreadedChat."""
    model_id: str
    context_tokens: int
    constrained: bool

    def format_prompt(self, messages: list[dict[str, Any]]) -> str: ...

    def count_tokens(self, prompt: str) -> int: ...

    def generate(self, prompt: str, params: GenerationParams, cancel: threading.Event,
                 on_text: OnText | None = None) -> Generation: ...
