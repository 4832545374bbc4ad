"""Chat through llama.cpp's server (see engine_process): the prompt is built here, decoded there.

The model host renders the model's own chat template (read from the engine's /props) so that an answer
lead (`continue_final_message`) and the JSON-schema instruction go exactly where they always went, has
the engine tokenize it (so the context check uses the engine's own count), and streams the completion
from /completion with the prompt as tokens. The engine does the rest: the JSON schema becomes a grammar
there, a slot whose cache holds the same prefix (the per-language system prompt) skips re-evaluating it,
and n-gram speculation drafts tokens that /ask answers copy from their evidence.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx

from model_host.engine_process import EngineProcess
from model_host.errors import APIError
from model_host.generation import Generation, GenerationParams, OnText, Prompt
from model_host.prompting import CHATML_TEMPLATE, render_chat_template

log = logging.getLogger("model_host.chat")

# The engine's own defaults for these, stated so that a change of engine version cannot move them.
TOP_K = 40
MIN_P = 0.05
FINISH = {"eos": "stop", "word": "stop", "limit": "length"}


def server_command(binary: Path, model: str, *, port: int, slots: int, context_tokens: int, threads: int,
                   draft_tokens: int, use_gpu: bool, host: str = "127.0.0.1") -> list[str]:
    """`llama-server`'s command line. Each slot may hold a whole `context_tokens` conversation: one KV pool
    of slots x context is shared (unified), so a long prompt in one slot never squeezes another."""
    cmd = [str(binary), "--model", model, "--host", host, "--port", str(port),
           "--parallel", str(slots), "--kv-unified", "--ctx-size", str(context_tokens * slots),
           "--threads", str(threads), "--threads-batch", str(threads), "--cont-batching",
           "--n-gpu-layers", "999" if use_gpu else "0", "--metrics", "--no-webui", "--jinja",
           "--reasoning-format", "none", "--log-timestamps"]
    if draft_tokens:
        # Prompt lookup: the last 3 tokens are searched for earlier in the context and what followed them
        # there is drafted, up to `draft_tokens`, then checked in one forward pass.
        cmd += ["--spec-type", "ngram-simple", "--spec-ngram-simple-size-n", "3",
                "--spec-ngram-simple-size-m", str(draft_tokens)]
    return cmd


class EngineUnavailable(APIError):
    def __init__(self, detail: str, retry_after: int = 5) -> None:
        super().__init__(503, f"The chat engine is unavailable ({detail}); retry after the Retry-After seconds "
                              "(GET /health shows its state)", type="server_not_ready", code="engine_unavailable",
                         headers={"Retry-After": str(retry_after)})


class LlamaServerChat:
    constrained = True

    def __init__(self, engine: EngineProcess, *, model_id: str, context_tokens: int, slots: int) -> None:
        self.engine = engine
        self.model_id = model_id
        self.context_tokens = context_tokens
        self.slots = slots
        self._template = CHATML_TEMPLATE
        self._bos = self._eos = ""
        # No overall timeout: a batch request may decode for minutes; connect and read gaps are bounded.
        self._client = httpx.AsyncClient(base_url=engine.base_url,
                                         timeout=httpx.Timeout(connect=5.0, read=300.0, write=30.0, pool=None),
                                         # Well inside the engine's 5 s keep-alive, so a pooled connection
                                         # is not reused just as the engine closes it.
                                         limits=httpx.Limits(max_connections=64, max_keepalive_connections=16,
                                                             keepalive_expiry=2.0))

    async def start(self) -> None:
        await self.engine.start()
        props = (await self._client.get("/props")).json()
        self._template = props.get("chat_template") or CHATML_TEMPLATE
        if not props.get("chat_template"):
            log.warning("%s has no chat template in its metadata; using ChatML", self.model_id)
        self._bos, self._eos = props.get("bos_token") or "", props.get("eos_token") or ""

    async def close(self) -> None:
        await self._client.aclose()
        await self.engine.stop()

    def format_prompt(self, messages: list[dict[str, Any]]) -> str:
        return render_chat_template(self._template, messages, bos_token=self._bos, eos_token=self._eos)

    async def _wait_for_engine(self) -> None:
        """A restarting engine is waited for a little; longer, the request is refused (503)."""
        if not self.engine.available and not await self.engine.wait_available(timeout=10.0):
            raise EngineUnavailable(self.engine.state)

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        await self._wait_for_engine()
        try:
            resp = await self._client.post(path, json=body)
        except httpx.TransportError as exc:
            raise EngineUnavailable(f"{type(exc).__name__}; it is being restarted") from None
        if resp.status_code >= 500:
            raise EngineUnavailable(f"HTTP {resp.status_code}: {resp.text[:200]}")
        return resp

    async def prepare(self, text: str) -> Prompt:
        # The template already wrote any BOS text; parse_special turns it and other markers into tokens.
        resp = await self._post("/tokenize", {"content": text, "add_special": False, "parse_special": True})
        tokens = list(resp.json()["tokens"])
        return Prompt(text, len(tokens), tokens)

    async def generate(self, prompt: Prompt, params: GenerationParams,
                       on_text: OnText | None = None) -> Generation:
        """Stream the completion (cancelling the awaiting task closes the stream, and the engine frees the slot)."""
        body: dict[str, Any] = {
            "prompt": prompt.tokens, "n_predict": params.max_tokens, "temperature": params.temperature,
            "top_p": params.top_p, "top_k": TOP_K, "min_p": MIN_P, "repeat_penalty": 1.0,
            "presence_penalty": params.presence_penalty, "frequency_penalty": params.frequency_penalty,
            "stop": list(params.stop), "stream": True, "cache_prompt": params.seed is None,
        }
        if params.seed is not None:
            body["seed"] = params.seed
        if params.schema is not None or params.json_mode:
            body["json_schema"] = params.schema if params.schema is not None else {"type": "object"}
        await self._wait_for_engine()
        started = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        final: dict[str, Any] = {}
        for attempt in (1, 2):
            try:
                async with self._client.stream("POST", "/completion", json=body) as resp:
                    if resp.status_code != 200:
                        detail = (await resp.aread()).decode(errors="replace")[:300]
                        if resp.status_code >= 500:
                            raise EngineUnavailable(f"HTTP {resp.status_code}: {detail}")
                        raise APIError(400, f"the chat engine refused the request: {detail}", code="engine_rejected")
                    async for line in resp.aiter_lines():
                        if not line.startswith("data: "):
                            continue
                        event = json.loads(line[6:])
                        if "error" in event:
                            raise APIError(500, f"generation failed: {event['error']}", type="server_error")
                        if text := event.get("content"):
                            if first is None:
                                first = time.perf_counter() - started
                            pieces.append(text)
                            if on_text is not None:
                                on_text(text)
                        if event.get("stop"):
                            final = event
                break
            except httpx.TransportError as exc:
                # Nothing received yet (e.g. a pooled connection the engine had just closed): safe to resend.
                if attempt == 1 and not pieces and self.engine.available:
                    log.warning("chat engine connection failed before any output (%s); retrying once", exc)
                    continue
                log.warning("chat engine connection failed: %r", exc)
                raise EngineUnavailable(f"the connection broke mid-generation: {type(exc).__name__}") from None
        timings = final.get("timings") or {}
        completion = int(final.get("tokens_predicted") or timings.get("predicted_n") or 0)
        accepted = timings.get("draft_n_accepted")
        return Generation(
            text="".join(pieces), prompt_tokens=prompt.count, completion_tokens=completion,
            finish_reason=FINISH.get(final.get("stop_type", "eos"), "stop"),
            seconds=time.perf_counter() - started, first_token_s=first,
            forward_passes=None if accepted is None else max(1, completion - int(accepted)),
            cached_tokens=int(timings.get("cache_n") or 0))
