"""Step Functions task: index one slice of a fetch manifest into the vector store."""
from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens.aws import ingestion_state, pending_index, raw_store
from teamlens.embeddings import Embedder
from teamlens.ingestion.index import IndexRequest, index_manifest
from teamlens.settings import settings
from teamlens.vectorstore import VectorStore

logger = Logger()


@lru_cache(maxsize=1)
def services() -> tuple[Embedder, VectorStore]:
    embedder = Embedder.for_index()
    return embedder, VectorStore(settings().chroma_url, embedder.model)


@logger.inject_lambda_context
@event_parser(model=IndexRequest)
def handler(event: IndexRequest, context: LambdaContext) -> dict:
    embedder, vectors = services()
    outcome = index_manifest(event, store=raw_store(), embedder=embedder, vectors=vectors,
                             pending=pending_index())
    logger.info("indexed", extra=outcome.model_dump())
    if event.run_id:
        ingestion_state().add_index_counts(event.run_id, outcome.source, objects=outcome.objects,
                                           chunks=outcome.chunks, removed=outcome.removed,
                                           done=outcome.next_offset is None, failed=outcome.failed)
    return outcome.model_dump()
