"""The ask-side service objects of a Lambda environment, built once and reused by warm invocations."""
from __future__ import annotations

import os
from functools import lru_cache

import boto3

# Imported at init, not at the first request: the functions that use these services need them all, and an
# environment's init runs once (before any request on AWS; locally, once per function version, shared by
# the environments forked from it) while the first request is paid by every new environment.
import langchain_openai  # noqa: F401  what teamlens.model_host_client.chat_model builds

from teamlens.ask.service import RESCORE_TIMEOUT_S, Asker
from teamlens.aws import client
from teamlens.conversations import Conversations
from teamlens.embeddings import Embedder
from teamlens.jobs import Jobs
from teamlens.model_host_client import chat_model
from teamlens.orchestrator.router import Router
from teamlens.retrieval.search import Retriever
from teamlens.settings import settings
from teamlens.vectorstore import VectorStore


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    # Requests wait behind the API Gateway limit: fail fast (503) rather than retry past it.
    return Embedder(settings().model_host_url, timeout=8.0, max_retries=1)


@lru_cache(maxsize=1)
def index_embedder() -> Embedder:
    """The index's model (EmbeddingGemma when configured), for search queries; `rescorer()` is the same model
    with the short limit /ask's evidence re-ranking uses."""
    return Embedder.for_index(timeout=8.0, max_retries=1) if settings().index_embedding_model else embedder()


@lru_cache(maxsize=1)
def rescorer() -> Embedder | None:
    """The index model as /ask's evidence re-scorer: a short timeout and no retry, since e5's order is a fine
    answer when the index model is queued up (RESCORE_TIMEOUT_S)."""
    if not settings().index_embedding_model:
        return None
    return Embedder.for_index(timeout=RESCORE_TIMEOUT_S, max_retries=0)


def vectors() -> VectorStore:
    # Not cached: creating it probes ChromaDB, and a cached handle would hide that the server went away.
    return VectorStore(settings().chroma_url, index_embedder().model)


def retriever() -> Retriever:
    return Retriever(index_embedder(), vectors())


@lru_cache(maxsize=1)
def chat():
    # No client retries: a retry after a timeout would run past the API's 29 s limit (a 502 instead of an
    # answer). The asker sets each call's timeout from its deadline and falls back to the evidence.
    return chat_model(settings().model_host_url, priority="interactive", max_tokens=256, max_retries=0)


@lru_cache(maxsize=1)
def router() -> Router:
    return Router(embedder(), chat())


@lru_cache(maxsize=1)
def conversations() -> Conversations:
    return Conversations(boto3.resource("dynamodb").Table(settings().conversations_table))


@lru_cache(maxsize=1)
def jobs() -> Jobs:
    return Jobs(boto3.resource("dynamodb").Table(settings().conversations_table), client("stepfunctions"),
                os.environ.get("JOBS_STATE_MACHINE_ARN", ""))


def asker() -> Asker:
    return Asker(router=router(), retriever=retriever(), chat=chat(), embedder=embedder(),
                 rescorer=rescorer(),
                 conversations=conversations(),
                 jobs=jobs(), chat_model_id=chat().model_name, embedding_model_id=embedder().model,
                 index_model_id=index_embedder().model,
                 answer_lead=settings().answer_lead)
