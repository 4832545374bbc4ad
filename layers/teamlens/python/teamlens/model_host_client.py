"""The client side of the model host: which models it serves, discovered from its OpenAI-compatible
`GET /v1/models` (each card carries `type`: "embedding" or "chat"), so the Lambdas never hard-code a model id
that a configuration change on the host would break; and a chat model bound to it with a priority class."""
from __future__ import annotations

from functools import lru_cache
from typing import Literal

import openai


class ModelHostUnavailable(RuntimeError):
    """The model host is down, still loading, or answered with an error beyond retries."""


@lru_cache(maxsize=8)
def served_model(base_url: str, kind: Literal["embedding", "chat"], api_key: str = "teamlens-local") -> str:
    client = openai.OpenAI(base_url=base_url.rstrip("/") + "/v1", api_key=api_key, timeout=10, max_retries=2)
    try:
        cards = client.models.list().data
    except openai.OpenAIError as exc:
        raise ModelHostUnavailable(f"model host at {base_url} is unavailable: {exc}") from None
    ids = [c.id for c in cards if getattr(c, "type", None) == kind]
    if not ids:
        raise ModelHostUnavailable(f"model host at {base_url} serves no {kind} model")
    return ids[0]


# The model host serves people's questions before batch work (summaries, reviews, reports): each request
# says which it is. Other OpenAI-compatible servers ignore the header.
PRIORITY_HEADER = "X-Teamlens-Priority"
Priority = Literal["interactive", "batch"]


def chat_model(base_url: str, *, priority: Priority, model: str | None = None, temperature: float = 0.0,
               max_tokens: int = 256, timeout: float = 25.0, max_retries: int = 1, api_key: str = "teamlens-local",
               **kwargs):
    """A LangChain `ChatOpenAI` bound to the model host (or any OpenAI-compatible endpoint)."""
    from langchain_openai import ChatOpenAI  # heavy import, only where chat is used

    if not base_url:
        raise ModelHostUnavailable("MODEL_HOST_URL is not set: the stack does not know where the model host runs")
    return ChatOpenAI(base_url=base_url.rstrip("/") + "/v1", api_key=api_key,
                      model=model or served_model(base_url, "chat", api_key), temperature=temperature,
                      max_tokens=max_tokens, timeout=timeout, max_retries=max_retries,
                      default_headers={PRIORITY_HEADER: priority}, **kwargs)
