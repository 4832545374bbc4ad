"""Request checks that need the configured limits. Pure functions: each raises an APIError (4xx) whose
message names the field and, where one was hit, the limit and the setting that controls it."""
from __future__ import annotations

from typing import Any

from model_host.errors import APIError, bad_request
from model_host.schemas import ChatRequest

MAX_STOP_SEQUENCES = 4


def embedding_texts(raw: Any, *, max_inputs: int, max_chars: int) -> list[str]:
    """The `input` of an embeddings request as a non-empty list of non-empty strings."""
    if raw is None:
        raise bad_request("input is required: a string or a list of strings", "input", "missing_input")
    if isinstance(raw, str):
        items, single = [raw], True
    elif isinstance(raw, list):
        items, single = raw, False
    else:
        raise bad_request(f"input must be a string or a list of strings, got {_json_type(raw)}", "input",
                          "invalid_input")
    if not items:
        raise bad_request("input must not be an empty list", "input", "empty_input")
    if len(items) > max_inputs:
        raise APIError(400, f"input has {len(items)} items; the limit is {max_inputs} per request "
                            "(MODEL_HOST_MAX_EMBEDDING_INPUTS): split it into smaller requests",
                       param="input", code="too_many_inputs")
    for i, item in enumerate(items):
        where = "input" if single else f"input[{i}]"
        if not isinstance(item, str):
            if isinstance(item, int) or (isinstance(item, list) and all(isinstance(t, int) for t in item)):
                raise bad_request(
                    f"{where}: token arrays are not supported, send text (with LangChain's OpenAIEmbeddings "
                    "set check_embedding_ctx_length=False)", where, "invalid_input")
            raise bad_request(f"{where} must be a string, got {_json_type(item)}", where, "invalid_input")
        if not item.strip():
            raise bad_request(f"{where} must not be empty", where, "empty_input")
        if len(item) > max_chars:
            raise APIError(400, f"{where} has {len(item)} characters; the limit is {max_chars} per input "
                                "(MODEL_HOST_MAX_INPUT_CHARS): split the text into chunks",
                           param=where, code="input_too_long")
    return list(items)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def check_chat_request(req: ChatRequest) -> None:
    """Features this server does not offer, rejected up front rather than silently ignored."""
    if req.n != 1:
        raise bad_request(f"n={req.n} is not supported; only n=1", "n", "unsupported_parameter")
    if req.tools:
        raise bad_request("tool calling is not supported; ask for arguments with "
                          "response_format={'type': 'json_schema', ...} instead", "tools", "unsupported_parameter")
    rf = req.response_format
    if rf is not None and rf.type == "json_schema" and (rf.json_schema is None or not rf.json_schema.schema_):
        raise bad_request("response_format.json_schema.schema is required for type json_schema",
                          "response_format.json_schema.schema", "invalid_schema")
    if req.continue_final_message:
        if req.messages[-1].role != "assistant":
            raise bad_request("continue_final_message needs the last message to be the assistant's, to be "
                              f"continued; it is {req.messages[-1].role!r}", "messages", "invalid_messages")
        if rf is not None and rf.type != "text":
            raise bad_request("continue_final_message cannot be combined with a JSON response_format",
                              "continue_final_message", "unsupported_parameter")
    stop_sequences(req.stop)


def stop_sequences(stop: str | list[str] | None) -> list[str]:
    if stop is None:
        return []
    items = [stop] if isinstance(stop, str) else list(stop)
    if len(items) > MAX_STOP_SEQUENCES:
        raise bad_request(f"stop has {len(items)} sequences; the limit is {MAX_STOP_SEQUENCES}", "stop",
                          "too_many_stop_sequences")
    if any(s == "" for s in items):
        raise bad_request("stop sequences must not be empty strings", "stop", "invalid_stop")
    return items


def completion_budget(req: ChatRequest, *, prompt_tokens: int, context_tokens: int, cap: int) -> int:
    """How many tokens the answer may have: the request's max_tokens, checked against the limits."""
    requested = req.max_completion_tokens or req.max_tokens
    param = "max_completion_tokens" if req.max_completion_tokens else "max_tokens"
    if requested is not None and requested > cap:
        raise APIError(400, f"{param}={requested} exceeds the limit of {cap} tokens per answer "
                            "(MODEL_HOST_MAX_COMPLETION_TOKENS)", param=param, code="max_tokens_too_large")
    room = context_tokens - prompt_tokens
    if room < 1 or (requested is not None and requested > room):
        asked = f" and {param} asks for {requested}" if requested is not None else ""
        raise APIError(400, f"This model's context is {context_tokens} tokens; the messages use {prompt_tokens}"
                            f"{asked} (MODEL_HOST_CONTEXT_TOKENS): shorten the messages or lower {param}",
                       param="messages", code="context_length_exceeded")
    return requested if requested is not None else min(cap, room)
