"""Step Functions task: plan a reindex from S3 (drop collections, write full manifests)."""
from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens.aws import ingestion_state, raw_store
from teamlens.embeddings import Embedder
from teamlens.ingestion.reindex import ReindexPlanRequest, plan_reindex
from teamlens.settings import settings
from teamlens.vectorstore import VectorStore

logger = Logger()


@logger.inject_lambda_context
@event_parser(model=ReindexPlanRequest)
def handler(event: ReindexPlanRequest, context: LambdaContext) -> list[dict]:
    vectors = VectorStore(settings().chroma_url, Embedder.for_index().model)
    planned = plan_reindex(event, store=raw_store(), vectors=vectors, state=ingestion_state())
    return [p.model_dump() for p in planned]
