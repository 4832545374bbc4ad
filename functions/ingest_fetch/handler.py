"""Step Functions task: fetch one source (skeleton: checks credentials, records the run)."""
from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens.ingestion.run import FetchRequest, record_fetch_run

logger = Logger()


@logger.inject_lambda_context
@event_parser(model=FetchRequest)
def handler(event: FetchRequest, context: LambdaContext) -> dict:
    return record_fetch_run(event).model_dump(mode="json")
