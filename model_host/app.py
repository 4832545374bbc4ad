"""The HTTP API: OpenAI-compatible routes, health, metrics, and errors in OpenAI's shape."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import threading
import time
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from model_host import openai_format as fmt
from model_host.chat_queue import Cancelled, QueueFull, Ticket
from model_host.errors import APIError, bad_request, error_body, overloaded, unknown_model, validation_message
from model_host.generation import ChatBackend, Generation, GenerationParams, OnText
from model_host.prompting import message_dicts, schema_instruction, with_instruction
from model_host.runtime import Runtime
from model_host.schemas import ChatRequest, EmbeddingRequest
from model_host.structured import OutputConstraint, constraint_for, output_problem
from model_host.validation import check_chat_request, completion_budget, embedding_texts, stop_sequences

log = logging.getLogger("model_host.api")

DEFAULT_TEMPERATURE = 0.7
DEFAULT_TOP_P = 0.95
DISCONNECT_POLL_S = 0.25


class ClientGone(Exception):
    pass


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # json.dumps directly: FastAPI's generic encoder is slow on thousands of embedding floats.
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status,
                    media_type="application/json", headers=headers)


def create_app(rt: Runtime) -> FastAPI:
    s = rt.settings
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        rt.scheduler.shutdown()
        if rt.batcher is not None:
            await rt.batcher.stop()

    app = FastAPI(title="teamlens model host", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.add_middleware(BodyLimit, max_bytes=s.max_request_bytes)
    app.add_middleware(CountRequests, metrics=rt.metrics)
    _install_error_handlers(app)

    @app.get("/health")
    async def health() -> Response:
        if not rt.ready:
            return json_response({"status": "loading"}, 503, {"Retry-After": "2"})
        assert rt.embedder is not None and rt.chat is not None
        return json_response({"status": "ok", "embedding_model": rt.embedder.model_id,
                              "embedding_dimension": rt.embedder.dimension, "embedding_dtype": rt.embedder.dtype,
                              "chat_model": rt.chat.model_id,
                              "context_tokens": rt.chat.context_tokens})

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
        embedder, batcher = rt.require_embedder()
        check_model(body.model, embedder.model_id, s.embedding_model)
        texts = embedding_texts(body.input, max_inputs=s.max_embedding_inputs, max_chars=s.max_input_chars)
        if body.dimensions is not None and body.dimensions != embedder.dimension:
            raise bad_request(f"dimensions={body.dimensions} is not available: {embedder.model_id} returns "
                              f"{embedder.dimension}-dimensional vectors", "dimensions", "invalid_dimensions")
        vectors, counts = await batcher.embed(texts, embedder.prompt_name(body.input_type))
        return json_response(fmt.embedding_list(vectors, model=embedder.model_id, prompt_tokens=int(counts.sum()),
                                                encoding_format=body.encoding_format))

    @app.post("/v1/chat/completions")
    async def chat_completions(body: ChatRequest, request: Request) -> Response:
        chat = rt.require_chat()
        check_model(body.model, chat.model_id, s.llm_model)
        check_chat_request(body)
        constraint = constraint_for(body.response_format)
        if constraint.is_json and hasattr(chat, "check_constraint"):
            try:
                chat.check_constraint(constraint.schema)
            except ValueError as exc:
                raise bad_request(str(exc), "response_format.json_schema.schema", "unsupported_schema") from None
        messages = message_dicts(body.messages)
        # The answer so far goes after the assistant's turn marker, left open (no end-of-turn token).
        answer_start = messages.pop()["content"] if body.continue_final_message else ""
        if constraint.is_json:
            messages = with_instruction(messages, schema_instruction(constraint.schema, constraint.name))
        try:
            prompt = chat.format_prompt(messages) + answer_start
        except ValueError as exc:  # the model's chat template rejected the conversation
            raise bad_request(str(exc), "messages", "invalid_messages") from None
        prompt_tokens = chat.count_tokens(prompt)
        params = GenerationParams(
            max_tokens=completion_budget(body, prompt_tokens=prompt_tokens, context_tokens=chat.context_tokens,
                                         cap=s.max_completion_tokens),
            temperature=DEFAULT_TEMPERATURE if body.temperature is None else body.temperature,
            top_p=DEFAULT_TOP_P if body.top_p is None else body.top_p,
            stop=tuple(stop_sequences(body.stop)), seed=body.seed,
            presence_penalty=body.presence_penalty or 0.0, frequency_penalty=body.frequency_penalty or 0.0,
            schema=constraint.schema, json_mode=constraint.mode == "json_object",
        )
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            return stream_completion(rt, chat, prompt, params, include_usage)
        ticket = submit(rt, lambda cancel: generate_checked(rt, chat, prompt, params, constraint, cancel))
        try:
            gen = await wait_or_disconnect(ticket, request)
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
    return [emb, chat]


def check_model(requested: str | None, served_id: str, configured: str) -> None:
    """`model` may be omitted, or name the served model (by its id or by the configured value)."""
    if requested is None or requested in (served_id, configured):
        return
    raise unknown_model(requested, [served_id])


def submit(rt: Runtime, job) -> Ticket:
    try:
        return rt.scheduler.submit(job)
    except QueueFull as full:
        raise overloaded(f"The chat queue is full ({full.waiting} requests waiting, limit {full.limit}: "
                         "MODEL_HOST_CHAT_QUEUE); retry after the Retry-After seconds", full.retry_after) from None


def record(rt: Runtime, gen: Generation) -> Generation:
    rt.metrics.generation(gen.prompt_tokens, gen.completion_tokens, gen.seconds, gen.first_token_s,
                          gen.tokens_per_s, gen.forward_passes)
    return gen


def generate_checked(rt: Runtime, chat: ChatBackend, prompt: str, params: GenerationParams,
                     constraint: OutputConstraint, cancel: threading.Event) -> Generation:
    """Generate; for JSON output check it parses and validates, retrying once greedily if it does not.

    With constrained decoding the check is a safety net; a model without it (the transformers backend)
    relies on it. An answer cut off by max_tokens is returned as is, with finish_reason "length".
    """
    gen = record(rt, chat.generate(prompt, params, cancel))
    if not constraint.is_json or gen.finish_reason == "length":
        return gen
    problem = output_problem(gen.text, constraint)
    if problem is None:
        return gen
    log.warning("JSON output did not validate (%s); retrying greedily", problem)
    retry = dataclasses.replace(params, temperature=0.0)
    gen = record(rt, chat.generate(prompt, retry, cancel))
    if gen.finish_reason != "length" and (problem := output_problem(gen.text, constraint)) is not None:
        raise APIError(500, f"the model's output did not match the requested JSON schema ({problem})",
                       type="server_error", code="invalid_model_output")
    return gen


async def wait_or_disconnect(ticket: Ticket, request: Request):
    """Await the job; if the client disconnects first, cancel it (skipped if queued, stopped if running)."""
    while True:
        done, _ = await asyncio.wait({ticket.result}, timeout=DISCONNECT_POLL_S)
        if done:
            try:
                return ticket.result.result()
            except Cancelled:
                raise ClientGone() from None
        if await request.is_disconnected():
            ticket.abort()
            raise ClientGone()


def stream_completion(rt: Runtime, chat: ChatBackend, prompt: str, params: GenerationParams,
                      include_usage: bool) -> StreamingResponse:
    loop = asyncio.get_running_loop()
    pieces: asyncio.Queue[str] = asyncio.Queue()
    on_text: OnText = lambda text: loop.call_soon_threadsafe(pieces.put_nowait, text)  # noqa: E731
    ticket = submit(rt, lambda cancel: record(rt, chat.generate(prompt, params, cancel, on_text)))
    cid, created, model = fmt.completion_id(), int(time.time()), chat.model_id

    async def events() -> AsyncIterator[str]:
        finished = False
        try:
            yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created,
                                         delta={"role": "assistant", "content": ""}))
            while True:
                getter = asyncio.ensure_future(pieces.get())
                done, _ = await asyncio.wait({getter, ticket.result}, return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created,
                                                 delta={"content": getter.result()}))
                    continue
                getter.cancel()
                while not pieces.empty():
                    yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created,
                                                 delta={"content": pieces.get_nowait()}))
                break
            try:
                gen: Generation = ticket.result.result()
            except Cancelled:
                return
            except Exception as exc:  # noqa: BLE001 - the stream has started: report in-band
                log.exception("generation failed mid-stream")
                finished = True
                yield fmt.sse(error_body(f"generation failed: {exc}", "server_error"))
                return
            yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created, finish_reason=gen.finish_reason))
            if include_usage:
                yield fmt.sse(fmt.chat_chunk(id=cid, model=model, created=created, with_choice=False,
                                             usage_=fmt.usage(gen.prompt_tokens, gen.completion_tokens)))
            yield fmt.sse("[DONE]")
            finished = True
        finally:
            if not finished:  # the client went away: stop generating for nobody
                ticket.abort()
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
            message = f"No route {request.method} {request.url.path}; see GET /v1/models, POST /v1/embeddings, " \
                      "POST /v1/chat/completions"
        return JSONResponse(error_body(message, "invalid_request_error", None,
                                       _STATUS_CODES.get(exc.status_code)),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
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
