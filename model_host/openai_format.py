"""Response bodies in the OpenAI wire format (pure functions)."""
from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import numpy as np


def embedding_list(vectors: np.ndarray, *, model: str, prompt_tokens: int, encoding_format: str) -> dict[str, Any]:
    if encoding_format == "base64":  # little-endian float32, what the openai client decodes
        items = [base64.b64encode(np.ascontiguousarray(v, dtype="<f4").tobytes()).decode("ascii") for v in vectors]
    else:
        items = vectors.tolist()
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(items)],
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def chat_completion(*, id: str, model: str, text: str, finish_reason: str, prompt_tokens: int,
                    completion_tokens: int, created: int | None = None) -> dict[str, Any]:
    return {
        "id": id, "object": "chat.completion", "created": created or int(time.time()), "model": model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                     "logprobs": None, "finish_reason": finish_reason}],
        "usage": usage(prompt_tokens, completion_tokens),
    }


def chat_chunk(*, id: str, model: str, created: int, delta: dict[str, Any] | None = None,
               finish_reason: str | None = None, usage_: dict[str, int] | None = None,
               with_choice: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
                            "system_fingerprint": None,
                            "choices": [{"index": 0, "delta": delta or {}, "logprobs": None,
                                         "finish_reason": finish_reason}] if with_choice else []}
    if usage_ is not None:
        body["usage"] = usage_
    return body


def sse(data: dict[str, Any] | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n"
