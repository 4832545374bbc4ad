"""The teamlens REST API (everything but /health): Powertools resolver with pydantic validation."""
from __future__ import annotations

import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens.aws import client, ingestion_state
from teamlens.ingestion.runs import RunNotFound, RunStatus, StartIngest, is_reindex, run_status, start_run

logger = Logger()
app = APIGatewayRestResolver(enable_validation=True)
app.enable_swagger(path="/openapi", title="teamlens API")


@app.post("/ingest")
def post_ingest(body: StartIngest) -> Response[dict]:
    run_id = start_run(client("stepfunctions"), os.environ["INGEST_STATE_MACHINE_ARN"], body)
    return Response(status_code=202, body={"run_id": run_id, "status": "RUNNING"},
                    content_type="application/json")


@app.post("/reindex")
def post_reindex(body: StartIngest) -> Response[dict]:
    run_id = start_run(client("stepfunctions"), os.environ["REINDEX_STATE_MACHINE_ARN"], body, kind="reindex")
    return Response(status_code=202, body={"run_id": run_id, "status": "RUNNING"},
                    content_type="application/json")


@app.get("/ingest/runs/<run_id>")
def get_ingest_run(run_id: str) -> RunStatus:
    machine = "REINDEX_STATE_MACHINE_ARN" if is_reindex(run_id) else "INGEST_STATE_MACHINE_ARN"
    try:
        return run_status(run_id, sfn=client("stepfunctions"), state=ingestion_state(),
                          state_machine_arn=os.environ[machine])
    except RunNotFound:
        raise NotFoundError(f"ingestion run {run_id!r} not found") from None


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
