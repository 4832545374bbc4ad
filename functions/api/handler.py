"""The teamlens REST API (everything but /health): Powertools resolver with pydantic validation.

Errors are JSON with the right status: 422 naming the invalid field (Powertools validation), 404 for unknown
ids, 503 with Retry-After when the model host or ChromaDB is unavailable; an unexpected exception is logged
and answered 500 with a request id, never left to surface as an API Gateway 502.
"""
from __future__ import annotations

import os
import time
from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens import services
from teamlens.agents import AgentError, prechecks
from teamlens.agents.args import ReportArgs, ReviewMrArgs, SummarizeSlackArgs
from teamlens.agents.report.confirm import ConfirmRequest
from teamlens.ask.search_api import SearchRequest, SearchResponse, run_search
from teamlens.ask.service import AskRequest, AskResponse
from teamlens.aws import client, ingestion_state
from teamlens.conversations import Conversation, ConversationNotFound
from teamlens.embeddings import EmbeddingError
from teamlens.http_body import error_response, json_body_error
from teamlens.ingestion.runs import RunNotFound, RunStatus, StartIngest, is_reindex, run_status, start_run
from teamlens.jobs import Job, JobNotFound
from teamlens.model_host_client import ModelHostUnavailable, served_model
from teamlens.vectorstore import VectorStoreError

logger = Logger()
app = APIGatewayRestResolver(enable_validation=True)
app.enable_swagger(path="/openapi", title="teamlens API")
RETRY_AFTER_S = 10
RESPONSE_MARGIN_S = 4.0  # kept for writing the turn and returning
API_GATEWAY_LIMIT_S = 29.0


def _json(status: int, body: dict, headers: dict | None = None) -> Response:
    return Response(status_code=status, body=body, content_type="application/json", headers=headers)


@app.exception_handler([EmbeddingError, ModelHostUnavailable, VectorStoreError])
def dependency_unavailable(exc: Exception) -> Response:
    logger.warning("dependency unavailable", extra={"error": str(exc)})
    return _json(503, {"message": str(exc), "retry_after_s": RETRY_AFTER_S},
                 headers={"Retry-After": str(RETRY_AFTER_S)})


@app.exception_handler(RequestValidationError)
def invalid_request(exc: RequestValidationError) -> Response:
    """422 in the shape the OpenAPI document declares (loc, msg, type); pydantic's messages name the rule
    broken, and the input is not echoed back."""
    detail = [{"loc": list(e["loc"]), "msg": e.get("msg", ""), "type": e["type"]} for e in exc.errors()]
    summary = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail[:3])
    return _json(422, {"statusCode": 422, "message": f"invalid request: {summary}", "detail": detail})


@app.exception_handler(ConversationNotFound)
def unknown_conversation(exc: ConversationNotFound) -> Response:
    return _json(404, {"message": f"conversation {exc.args[0]!r} not found"})


@app.exception_handler(AgentError)
def agent_error(exc: AgentError) -> Response:
    return _json(exc.status, {"message": str(exc)})


@app.exception_handler(IdempotencyAlreadyInProgressError)
def confirm_in_progress(exc: Exception) -> Response:
    return _json(409, {"message": "this report is being posted by another request right now; retry in a moment"},
                 headers={"Retry-After": "2"})


@app.get("/", include_in_schema=False)
def get_chat_page() -> Response[str]:
    from teamlens.web import chat_page

    # The page holds no data: API Gateway serves it without a key; its requests carry the key the user enters.
    return Response(status_code=200, body=chat_page(), content_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                                                        "style-src 'unsafe-inline'; connect-src 'self'"})


@app.get("/openapi.json", include_in_schema=False)
def get_openapi_json() -> Response[str]:
    return Response(status_code=200, body=app.get_openapi_json_schema(title="teamlens API"),
                    content_type="application/json")


def _time_left_s() -> float:
    """Seconds the answer may still take: API Gateway's limit counts from when the request arrived, which under
    a burst is long before this handler runs (waiting for a new environment), and the function has its own
    timeout; both less a margin for writing the turn and returning."""
    left = app.lambda_context.get_remaining_time_in_millis() / 1000
    arrived_ms = app.current_event.request_context.request_time_epoch
    if arrived_ms:
        left = min(left, API_GATEWAY_LIMIT_S - (time.time() - arrived_ms / 1000))
    return left - RESPONSE_MARGIN_S


@app.post("/ask", responses={200: {}, 202: {}})
def post_ask(body: AskRequest) -> Response[AskResponse]:
    result = services.asker().ask(body, deadline_s=_time_left_s())
    return _json(202 if result.job_id else 200, result.model_dump(mode="json"))


@app.post("/search")
def post_search(body: SearchRequest) -> SearchResponse:
    return run_search(services.retriever(), body)


@app.get("/conversations/<conversation_id>")
def get_conversation(conversation_id: str) -> Conversation:
    return services.conversations().get(conversation_id)


@app.get("/jobs")
def list_jobs(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    return {"jobs": [j.model_dump(mode="json", exclude={"result"}) for j in services.jobs().recent(limit)]}


@app.get("/status")
def get_status() -> dict:
    """What runs: version, the model host's models and the index size per source (each reported, not raised)."""
    from teamlens.health import health_report
    from teamlens.settings import settings

    report: dict = {**health_report(), "models": {}, "index": {}}
    try:
        report["models"] = {kind: served_model(settings().model_host_url, kind) for kind in ("embedding", "chat")}
    except ModelHostUnavailable as exc:
        report["models"] = {"error": str(exc)}
    try:
        store = services.vectors()
        report["index"] = {source: store.count(source) for source in ("gitlab", "slack", "backlog")}
    except (EmbeddingError, VectorStoreError, ModelHostUnavailable) as exc:
        report["index"] = {"error": str(exc)}
    return report


@app.get("/jobs/<job_id>")
def get_job(job_id: str) -> Job:
    try:
        return services.jobs().get(job_id)
    except JobNotFound:
        raise NotFoundError(f"job {job_id!r} not found") from None


def _started(kind: str, args) -> Response:
    job = services.jobs().start(kind, args.model_dump(mode="json", exclude_none=True))
    return _json(202, {"job_id": job.job_id, "kind": kind, "status": job.status, "location": f"/jobs/{job.job_id}"},
                 headers={"Location": f"/jobs/{job.job_id}"})


@app.post("/summaries", responses={202: {}})
def post_summary(body: SummarizeSlackArgs) -> Response[dict]:
    prechecks.check_summary_target(body)
    return _started("summarize_slack", body)


@app.post("/reviews", responses={202: {}})
def post_review(body: ReviewMrArgs) -> Response[dict]:
    prechecks.check_review_target(body)
    return _started("review_mr", body)


@app.post("/reports", responses={202: {}})
def post_report(body: ReportArgs) -> Response[dict]:
    return _started("report", body)


@app.post("/reports/<job_id>/confirm")
def post_report_confirm(job_id: str, body: ConfirmRequest) -> Response[dict]:
    from teamlens.agents import connections
    from teamlens.agents.report.confirm import confirm

    try:
        job = services.jobs().get(job_id)
    except JobNotFound:
        raise NotFoundError(f"report {job_id!r} not found") from None
    result = confirm(job, body, slack=connections.slack, backlog=connections.backlog,
                     idempotency_table=os.environ["IDEMPOTENCY_TABLE"])
    return _json(200, result)


@app.post("/ingest")
def post_ingest(body: StartIngest) -> Response[dict]:
    run_id = start_run(client("stepfunctions"), os.environ["INGEST_STATE_MACHINE_ARN"], body)
    return _json(202, {"run_id": run_id, "status": "RUNNING"})


@app.post("/reindex")
def post_reindex(body: StartIngest) -> Response[dict]:
    run_id = start_run(client("stepfunctions"), os.environ["REINDEX_STATE_MACHINE_ARN"], body, kind="reindex")
    return _json(202, {"run_id": run_id, "status": "RUNNING"})


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
    if (bad_body := json_body_error(event)) is not None:
        return bad_body
    try:
        return app.resolve(event, context)
    except Exception:  # the resolver already logged it; answer JSON, not an API Gateway 502
        logger.exception("unhandled error")
        return error_response(500, "internal error", request_id=context.aws_request_id)
