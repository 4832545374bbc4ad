"""The HTTP API: OpenAI-compatible routes, health, metrics, and errors in OpenAI's shape."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from model_host import openai_format as fmt
from model_host.errors import APIError, bad_request, error_body, overloaded, unknown_model, validation_message
from model_host.generation import ChatEngine, Generation, GenerationParams, OnText, Prompt
from model_host.priority import HEADER as PRIORITY_HEADER
from model_host.priority import Priority, PriorityGate, QueueFull, parse_priority
from model_host.prompting import message_dicts, schema_instruction, with_instruction
from model_host.runtime import Runtime
from model_host.schemas import ChatRequest, EmbeddingRequest
from model_host.structured import OutputConstraint, constraint_for, output_problem
from model_host.validation import check_chat_request, completion_budget, embedding_texts, stop_sequences

log = logging.getLogger("model_host.api")

DEFAULT_TEMPERATURE = 0.7
DEFAULT_TOP_P = 0.95
DISCONNECT_POLL_S = 0.25
T = TypeVar("T")


class ClientGone(Exception):
    pass


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # json.dumps directly: FastAPI's generic encoder is slow on thousands of embedding floats.
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status,
                    media_type="application/json", headers=headers)


def create_app(rt: Runtime, *, exit_on_load_failure: bool = True) -> FastAPI:
    s = rt.settings

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async def load() -> None:
            try:
                await rt.load()
            except Exception:  # whatever it is, the server must not stay up half-loaded
                log.exception("loading the models failed; stopping")
                if exit_on_load_failure:
                    logging.shutdown()
                    os._exit(3)

        # Loaded on the event loop's thread: the engine child is tied to the thread that started it.
        loading = asyncio.get_running_loop().create_task(load(), name="model-loader")
        yield
        loading.cancel()
        await rt.close()

    app = FastAPI(title="teamlens model host", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.add_middleware(BodyLimit, max_bytes=s.max_request_bytes)
    app.add_middleware(CountRequests, metrics=rt.metrics)
    _install_error_handlers(app)

    @app.get("/health")
    async def health() -> Response:
        if not rt.ready:
            return json_response({"status": "loading"}, 503, {"Retry-After": "2"})
        assert rt.embedder is not None and rt.chat is not None
        body: dict[str, Any] = {
            "status": "ok", "embedding_model": rt.embedder.model_id, "embedding_dimension": rt.embedder.dimension,
            "embedding_dtype": rt.embedder.dtype, "chat_model": rt.chat.model_id,
            "context_tokens": rt.chat.context_tokens, "chat_slots": rt.chat.slots}
        if rt.index_embedder is not None:
            body |= {"index_embedding_model": rt.index_embedder.model_id,
                     "index_embedding_dtype": rt.index_embedder.dtype}
        if (engine := rt.engine) is not None:
            body["engine"] = engine.health()
            if not engine.available:  # embeddings still work; chat answers 503 until the engine is back
                body["status"] = "degraded"
                return json_response(body, 503, {"Retry-After": "5"})
        return json_response(body)

    @app.get("/metrics")
    async def metrics() -> Response:
        return json_response(rt.metrics_snapshot())

    @app.get("/v1/models")
    async def list_models() -> Response:
        return json_response({"object": "list", "data": model_cards(rt)})

    @app.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str) -> Response:
        for card in model_cards(rt):
            if card["id"] == model_id:
                return json_response(card)
        err = unknown_model(model_id, [c["id"] for c in model_cards(rt)])
        err.status = 404
        raise err

    @app.post("/v1/embeddings")
    async def embeddings(body: EmbeddingRequest) -> Response:
        # `model` picks the default model (absent, or its name) or the index model (its name).
        embedder, batcher = rt.require_embedder(body.model)
        texts = embedding_texts(body.input, max_inputs=s.max_embedding_inputs, max_chars=s.max_input_chars)
        if body.dimensions is not None and body.dimensions != embedder.dimension:
            raise bad_request(f"dimensions={body.dimensions} is not available: {embedder.model_id} returns "
                              f"{embedder.dimension}-dimensional vectors", "dimensions", "invalid_dimensions")
        vectors, counts = await batcher.embed(texts, embedder.prompt_name(body.input_type))
        return json_response(fmt.embedding_list(vectors, model=embedder.model_id, prompt_tokens=int(counts.sum()),
                                                encoding_format=body.encoding_format))

    @app.post("/v1/chat/completions")
    async def chat_completions(body: ChatRequest, request: Request) -> Response:
        chat, gate = rt.require_chat()
        try:
            priority = parse_priority(request.headers.get(PRIORITY_HEADER))
        except ValueError as exc:
            raise bad_request(str(exc), PRIORITY_HEADER, "invalid_priority") from None
        try:
            # Refused now, before the prompt is rendered and tokenized: the engine tokenizes between the steps
            # of the generations that fill it, and a refusal waited seconds for that.
            gate.check_admission(priority)
        except QueueFull as full:
            raise queue_full(full) from None
        check_model(body.model, chat.model_id, s.llm_model)
        check_chat_request(body)
        constraint = constraint_for(body.response_format)
        messages = message_dicts(body.messages)
        # The answer so far goes after the assistant's turn marker, left open (no end-of-turn token).
        answer_start = messages.pop()["content"] if body.continue_final_message else ""
        if constraint.is_json:
            messages = with_instruction(messages, schema_instruction(constraint.schema, constraint.name))
        try:
            text = chat.format_prompt(messages) + answer_start
        except ValueError as exc:  # the model's chat template rejected the conversation
            raise bad_request(str(exc), "messages", "invalid_messages") from None
        prompt = await chat.prepare(text)
        params = GenerationParams(
            max_tokens=completion_budget(body, prompt_tokens=prompt.count, context_tokens=chat.context_tokens,
                                         cap=s.max_completion_tokens),
            temperature=DEFAULT_TEMPERATURE if body.temperature is None else body.temperature,
            top_p=DEFAULT_TOP_P if body.top_p is None else body.top_p,
            stop=tuple(stop_sequences(body.stop)), seed=body.seed,
            presence_penalty=body.presence_penalty or 0.0, frequency_penalty=body.frequency_penalty or 0.0,
            schema=constraint.schema, json_mode=constraint.mode == "json_object",
        )
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            return await stream_completion(rt, chat, gate, priority, prompt, params, include_usage)
        try:
            gen = await until_disconnect(
                in_slot(gate, priority, generate_checked(rt, chat, prompt, params, constraint)), request)
        except ClientGone:
            rt.metrics.cancelled()
            return Response(status_code=499)
        return json_response(fmt.chat_completion(
            id=fmt.completion_id(), model=chat.model_id, text=gen.text, finish_reason=gen.finish_reason,
            prompt_tokens=gen.prompt_tokens, completion_tokens=gen.completion_tokens))

    return app


def model_cards(rt: Runtime) -> list[dict[str, Any]]:
    created = int(rt.metrics.started)
    emb: dict[str, Any] = {"id": rt.embedder.model_id if rt.embedder else rt.settings.embedding_model_id,
                           "object": "model", "created": created, "owned_by": "teamlens", "type": "embedding"}
    chat: dict[str, Any] = {"id": rt.chat.model_id if rt.chat else rt.settings.llm_model_id,
                            "object": "model", "created": created, "owned_by": "teamlens", "type": "chat"}
    if rt.embedder:
        emb["dimension"] = rt.embedder.dimension
    if rt.chat:
        chat["context_length"] = rt.chat.context_tokens
    cards = [emb, chat]
    if rt.settings.index_embedding_model:
        # Last, and typed "embedding" like e5: clients that take the first embedding card still get e5.
        index_card: dict[str, Any] = {"id": rt.index_embedder.model_id if rt.index_embedder
                                      else rt.settings.index_model_id,
                                   "object": "model", "created": created, "owned_by": "teamlens",
                                   "type": "embedding", "role": "index"}
        if rt.index_embedder:
            index_card["dimension"] = rt.index_embedder.dimension
        cards.append(index_card)
    return cards


def check_model(requested: str | None, served_id: str, configured: str) -> None:
    """`model` may be omitted, or name the served model (by its id or by the configured value)."""
    if requested is None or requested in (served_id, configured):
        return
    raise unknown_model(requested, [served_id])


async def in_slot(gate: PriorityGate, priority: Priority, work: Awaitable[T]) -> T:
    """Run `work` once the gate gives this class a slot; a full queue is a 503 with Retry-After."""
    try:
        async with gate.slot(priority):
            return await work
    except QueueFull as full:
        if asyncio.iscoroutine(work):
            work.close()  # never started
        raise queue_full(full) from None


def queue_full(full: QueueFull) -> APIError:
    setting = "MODEL_HOST_CHAT_QUEUE" if full.priority == "interactive" else "MODEL_HOST_BATCH_QUEUE"
    return overloaded(f"The {full.priority} chat queue is full ({full.waiting} requests waiting, limit "
                      f"{full.limit}: {setting}); retry after the Retry-After seconds", full.retry_after)


def record(rt: Runtime, gen: Generation) -> Generation:
    rt.metrics.generation(gen.prompt_tokens, gen.completion_tokens, gen.seconds, gen.first_token_s,
                          gen.tokens_per_s, gen.forward_passes, gen.cached_tokens)
    return gen


async def generate_checked(rt: Runtime, chat: ChatEngine, prompt: Prompt, params: GenerationParams,
                           constraint: OutputConstraint) -> Generation:
    """Generate; for JSON output check it parses and validates, retrying once greedily if it does not.

    With constrained decoding the check is a safety net; a model without it (the transformers backend)
    relies on it. An answer cut off by max_tokens is returned as is, with finish_reason "length".
    """
    gen = record(rt, await chat.generate(prompt, params))
    if not constraint.is_json or gen.finish_reason == "length":
        return gen
    problem = output_problem(gen.text, constraint)
    if problem is None:
        return gen
    log.warning("JSON output did not validate (%s); retrying greedily", problem)
    retry = dataclasses.replace(params, temperature=0.0)
    gen = record(rt, await chat.generate(prompt, retry))
    if gen.finish_reason != "length" and (problem := output_problem(gen.text, constraint)) is not None:
        raise APIError(500, f"the model's output did not match the requested JSON schema ({problem})",
                       type="server_error", code="invalid_model_output")
    return gen


async def until_disconnect(work: Awaitable[T], request: Request) -> T:
    """Await `work`; if the client disconnects first, cancel it (a waiting request leaves the queue, a
    running generation stops and frees its slot)."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
        if done:
            return task.result()
        if await request.is_disconnected():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise ClientGone()


async def stream_completion(rt: Runtime, chat: ChatEngine, gate: PriorityGate, priority: Priority, prompt: Prompt,
                            params: GenerationParams, include_usage: bool) -> StreamingResponse:
    loop = asyncio.get_running_loop()
    pieces: asyncio.Queue[str] = asyncio.Queue()
    # Thread-safe: a threaded engine calls it from its own thread.
    on_text: OnText = lambda text: loop.call_soon_threadsafe(pieces.put_nowait, text)  # noqa: E731

    async def run() -> Generation:
        return record(rt, await chat.generate(prompt, params, on_text))

    try:  # a full queue is answered now, as a 503, before the stream's 200 is sent
        gate.check_admission(priority)
    except QueueFull as full:
        raise queue_full(full) from None
    job = asyncio.ensure_future(in_slot(gate, priority, run()))
    cid, created, model = fmt.completion_id(), int(time.time()), chat.model_id

    async def events() -> AsyncIterator[str]:
        finished = False
        try:
            yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created,
                                         delta={"role": "assistant", "content": ""}))
            while True:
                getter = asyncio.ensure_future(pieces.get())
                done, _ = await asyncio.wait({getter, job}, return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created,
                                                 delta={"content": getter.result()}))
                    continue
                getter.cancel()
                await asyncio.sleep(0)  # pieces scheduled with call_soon_threadsafe land first
                while not pieces.empty():
                    yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created,
                                                 delta={"content": pieces.get_nowait()}))
                break
            try:
                gen: Generation = job.result()
            except asyncio.CancelledError:
                return
            except Exception as exc:  # the stream has started: report in-band
                log.exception("generation failed mid-stream")
                finished = True
                message = exc.message if isinstance(exc, APIError) else f"generation failed: {exc}"
                yield fmt.sse(error_body(message, "server_error"))
                return
            yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created, finish_reason=gen.finish_reason))
            if include_usage:
                yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created, with_choice=False,
                                             usage_=fmt.usage(gen.prompt_tokens, gen.completion_tokens)))
            yield fmt.sse("[DONE]")
            finished = True
        finally:
            if not finished:  # the client went away: stop generating for nobody
                job.cancel()
                rt.metrics.cancelled()

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# --- errors ---------------------------------------------------------------------------------------

_STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(_: Request, exc: APIError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        message, param = validation_message(errors)
        malformed = bool(errors) and errors[0].get("type") in ("json_invalid", "model_attributes_type")
        status = 400 if malformed else 422
        code = "invalid_json" if malformed else "invalid_value"
        return JSONResponse(error_body(message, "invalid_request_error", param, code), status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404:
            message = (f"No route {request.method} {request.url.path}; see GET /v1/models, POST /v1/embeddings, "
                       "POST /v1/chat/completions")
        return JSONResponse(error_body(message, "invalid_request_error", None,
                                       _STATUS_CODES.get(exc.status_code)),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")  # noqa: LOG004 - Starlette calls handlers inside its except block
        return JSONResponse(error_body(f"internal error: {type(exc).__name__}: {exc}", "server_error"),
                            status_code=500)


# --- middleware (plain ASGI, so streaming and disconnect detection pass straight through) -----------

class BodyLimit:
    """Refuse request bodies over the limit with 413, by Content-Length or while reading."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self, size: int | None) -> StarletteHTTPException:
        got = f" ({size} bytes)" if size is not None else ""
        return StarletteHTTPException(413, f"The request body is too large{got}; the limit is {self.max_bytes} "
                                           "bytes (MODEL_HOST_MAX_REQUEST_BYTES)")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        if scope.get("method") == "POST" and headers.get(b"content-type", b"").split(b";")[0] in (
                b"", b"application/x-www-form-urlencoded"):
            # Every body here is JSON; accept it from clients that do not say so (e.g. `curl -d`).
            kept = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = {**scope, "headers": [*kept, (b"content-type", b"application/json")]}
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            exc = self._too_large(int(length))
            response = JSONResponse(error_body(exc.detail, "invalid_request_error", None, "request_too_large"),
                                    status_code=413)
            return await response(scope, receive, send)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self._too_large(None)  # FastAPI passes HTTPExceptions from body reading through
            return message

        await self.app(scope, limited_receive, send)


class CountRequests:
    def __init__(self, app, metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            path = scope.get("path", "")
            label = path if path in _KNOWN_PATHS else "/v1/models/{id}" if path.startswith("/v1/models/") else "other"
            self.metrics.count_request(label, status["code"])


_KNOWN_PATHS = {"/health", "/metrics", "/v1/models", "/v1/embeddings", "/v1/chat/completions"}
