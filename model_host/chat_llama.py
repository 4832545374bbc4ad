"""CPU chat backend: a GGUF model through llama-cpp-python, with grammar-constrained JSON output.

The prompt is the model's own chat template (read from the GGUF metadata). A JSON schema becomes a
llama.cpp grammar, so every sampled token keeps the output a valid instance of the schema.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from model_host.chat_queue import Cancelled
from model_host.generation import Generation, GenerationParams, OnText
from model_host.prompting import CHATML_TEMPLATE, render_chat_template

log = logging.getLogger("model_host.chat")


@lru_cache(maxsize=32)
def _grammar(schema_json: str | None):
    from llama_cpp import LlamaGrammar
    from llama_cpp.llama_grammar import JSON_GBNF

    if schema_json is None:
        return LlamaGrammar.from_string(JSON_GBNF, verbose=False)
    return LlamaGrammar.from_json_schema(schema_json, verbose=False)


def grammar_for(schema: dict[str, Any] | None):
    """A llama.cpp grammar for a JSON schema (None: any JSON value); raises ValueError if unsupported."""
    try:
        return _grammar(None if schema is None else json.dumps(schema, sort_keys=True))
    except Exception as exc:  # the converter raises plain exceptions for schema features it lacks
        raise ValueError(f"cannot turn this JSON schema into a grammar: {exc}") from exc


class LlamaCppChat:
    constrained = True

    def __init__(self, path: str, *, context_tokens: int, threads: int, use_gpu: bool,
                 draft_tokens: int = 0) -> None:
        """`draft_tokens`: tokens drafted by prompt lookup and checked in one pass (0: plain decoding)."""
        from llama_cpp import Llama

        self.path = Path(path)
        self.model_id = self.path.name.removesuffix(".gguf")
        options = {"model_path": str(self.path), "n_ctx": context_tokens, "n_threads": threads,
                   "n_threads_batch": threads, "n_gpu_layers": -1 if use_gpu else 0, "verbose": False}
        if draft_tokens:
            from model_host.prompt_lookup import PromptLookupLlama

            self._llm: Llama = PromptLookupLlama(draft_tokens=draft_tokens, **options)
        else:
            self._llm = Llama(**options)
        self.context_tokens = self._llm.n_ctx()
        self._template = self._llm.metadata.get("tokenizer.chat_template")
        if not self._template:
            log.warning("%s has no chat template in its metadata; using ChatML", self.path.name)
            self._template = CHATML_TEMPLATE
        self._bos = self._token_text(self._llm.token_bos())
        self._eos = self._token_text(self._llm.token_eos())

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="ignore")

    def check_constraint(self, schema: dict[str, Any] | None) -> None:
        """Raise ValueError now if the schema cannot become a grammar (a 400, not a failed generation)."""
        grammar_for(schema)

    def format_prompt(self, messages: list[dict[str, Any]]) -> str:
        return render_chat_template(self._template, messages, bos_token=self._bos, eos_token=self._eos)

    def _tokens(self, text: str) -> list[int]:
        # The template already wrote any BOS text; special=True turns it and other markers into tokens.
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def count_tokens(self, prompt: str) -> int:
        return len(self._tokens(prompt))

    def generate(self, prompt: str, params: GenerationParams, cancel: threading.Event,
                 on_text: OnText | None = None) -> Generation:
        tokens = self._tokens(prompt)
        grammar = grammar_for(params.schema) if (params.schema is not None or params.json_mode) else None
        if params.seed is not None:
            # Reusing a cached prompt prefix evaluates the last tokens in a different batch shape, which
            # shifts the logits slightly; a seeded request re-evaluates the whole prompt to be reproducible.
            self._llm.reset()
        passes_before = getattr(self._llm, "forward_passes", None)
        started = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        finish = "stop"
        stream = self._llm.create_completion(
            tokens, max_tokens=params.max_tokens, temperature=params.temperature, top_p=params.top_p,
            stop=list(params.stop) or None, seed=params.seed, stream=True, grammar=grammar,
            presence_penalty=params.presence_penalty, frequency_penalty=params.frequency_penalty,
            repeat_penalty=1.0,
        )
        try:
            for chunk in stream:
                if cancel.is_set():
                    raise Cancelled()
                choice = chunk["choices"][0]
                text = choice.get("text") or ""
                if text:
                    if first is None:
                        first = time.perf_counter() - started
                    pieces.append(text)
                    if on_text is not None:
                        on_text(text)
                if choice.get("finish_reason"):
                    finish = choice["finish_reason"]
        finally:
            stream.close()  # stops llama.cpp right here when the client went away
        text = "".join(pieces)
        seconds = time.perf_counter() - started
        completion_tokens = params.max_tokens if finish == "length" else len(self._tokens(text)) if text else 0
        passes = None if passes_before is None else self._llm.forward_passes - passes_before
        return Generation(text=text, prompt_tokens=len(tokens), completion_tokens=completion_tokens,
                          finish_reason=finish, seconds=seconds, first_token_s=first, forward_passes=passes)
