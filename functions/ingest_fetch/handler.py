"""Step Functions task: fetch one source incrementally into S3 and advance its cursor."""
from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens.aws import ingestion_state, pending_index, raw_store
from teamlens.ingestion.fetch import FetchRequest, fetch_source
from teamlens.settings import settings

logger = Logger()


@logger.inject_lambda_context
@event_parser(model=FetchRequest)
def handler(event: FetchRequest, context: LambdaContext) -> dict:
    arn = settings().secret_arns.get(event.source)
    if not arn:
        raise ValueError(f"no secret configured for source {event.source!r}")
    outcome = fetch_source(event, secret_arn=arn, store=raw_store(), state=ingestion_state(),
                           pending=pending_index())
    logger.info("fetched", extra=outcome.model_dump(exclude={"counts"}))
    return outcome.model_dump()
