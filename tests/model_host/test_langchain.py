"""LangChain's standard OpenAI classes work against the model host unchanged: base URL + dummy key."""
from __future__ import annotations

import math
from typing import Literal

import pytest
from pydantic import BaseModel, Field

pytestmark = pytest.mark.integration


class Route(BaseModel):
    """Which tool should handle the user's request."""

    intent: Literal["search", "summarize_slack", "review_mr", "report"] = Field(description="the tool to use")
    channel: str | None = Field(default=None, description="the Slack channel, if one is named")


@pytest.fixture(scope="module")
def llm(model_host, health):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=model_host, api_key="dummy", model=health["chat_model"], temperature=0,
                      max_retries=0, timeout=120)


@pytest.fixture(scope="module")
def embeddings(model_host, health):
    from langchain_openai import OpenAIEmbeddings

    # check_embedding_ctx_length=False: send text, not tiktoken ids (standard for non-OpenAI servers).
    return OpenAIEmbeddings(base_url=model_host, api_key="dummy", model=health["embedding_model"],
                            check_embedding_ctx_length=False)


def test_chat_openai_invoke(llm):
    msg = llm.invoke("Reply with the single word: pong")
    assert "pong" in msg.content.lower()
    assert msg.usage_metadata["output_tokens"] >= 1


def test_chat_openai_stream(llm):
    parts = [chunk.content for chunk in llm.stream("Count from 1 to 3.")]
    assert len(parts) > 2 and "2" in "".join(parts)


def test_with_structured_output_returns_the_pydantic_object(llm):
    routed = llm.with_structured_output(Route).invoke("Summarize yesterday's discussion in #backend")
    assert isinstance(routed, Route)
    assert routed.intent in ("search", "summarize_slack", "review_mr", "report")


def test_with_structured_output_json_schema_dict(llm):
    schema = Route.model_json_schema()
    out = llm.with_structured_output(schema, method="json_schema").invoke("MR !12 をレビューして")
    assert set(out) >= {"intent"} and out["intent"] in ("search", "summarize_slack", "review_mr", "report")


def test_openai_embeddings(embeddings, health):
    q = embeddings.embed_query("How do I rotate the API keys?")
    docs = embeddings.embed_documents(["APIキーは90日ごとにローテーションしてください。",
                                       "Bananas are rich in potassium."])
    assert len(q) == health["embedding_dimension"] and len(docs) == 2
    assert math.isclose(sum(x * x for x in q), 1.0, abs_tol=1e-4)
    assert sum(a * b for a, b in zip(q, docs[0])) > sum(a * b for a, b in zip(q, docs[1]))
