"""Webhooks from Slack (Events API, slash command) and GitLab (merge request events), on routes without an
API key: each request is authenticated by the sender's own scheme (Slack's signature with its replay
window, GitLab's secret token) before anything runs, and acknowledged fast; the work happens elsewhere
(an async Lambda that answers in Slack, a review job)."""
from __future__ import annotations

import json
import os
import time
from urllib.parse import parse_qsl

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens import services
from teamlens.agents.connections import credentials
from teamlens.aws import client
from teamlens.chatops.events import command_to_ask, mention_to_ask, review_job_id, review_request
from teamlens.chatops.verify import Unauthorized, verify_gitlab, verify_slack
from teamlens.http_body import BadBody, error_response, parse_json_body, raw_body
from teamlens.jobs import JobExists

logger = Logger()
app = APIGatewayRestResolver()


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, body=json.dumps(body), content_type="application/json")


@app.exception_handler(Unauthorized)
def unauthorized(exc: Unauthorized) -> Response:
    logger.warning("webhook rejected", extra={"reason": str(exc)})
    return _json(401, {"message": str(exc)})


@app.exception_handler(BadBody)
def bad_body(exc: BadBody) -> Response:
    # Authenticated but malformed: the sender's bug, answered as one (never an API Gateway 502).
    logger.warning("webhook body rejected", extra={"reason": str(exc)})
    return _json(exc.status, {"message": str(exc)})


def _raw_body() -> bytes:
    return raw_body(app.current_event.raw_event)


def _json_object(body: bytes) -> dict:
    payload = parse_json_body(body or b"{}")
    if not isinstance(payload, dict):
        raise BadBody(400, "the request body must be a JSON object")
    return payload


def _secret(source: str, field: str) -> str | None:
    value = getattr(credentials(source), field)
    return value.get_secret_value() if value else None


def _answer_async(ask: dict) -> None:
    client("lambda").invoke(FunctionName=os.environ["SLACK_REPLY_FUNCTION"], InvocationType="Event",
                            Payload=json.dumps(ask).encode())


@app.post("/hooks/slack/events")
def slack_events() -> Response:
    body = _raw_body()
    verify_slack(_secret("slack", "signing_secret"), dict(app.current_event.headers or {}), body, time.time())
    payload = _json_object(body)
    if payload.get("type") == "url_verification":
        return _json(200, {"challenge": payload.get("challenge", "")})
    if payload.get("type") != "event_callback":
        return _json(200, {"ok": True})
    ask = mention_to_ask(payload.get("event") or {})
    if ask is None:
        return _json(200, {"ok": True})
    # Slack redelivers an event it thinks was not acknowledged: answer each event id once.
    try:
        services.jobs().table.put_item(
            Item={"pk": f"slack-event#{payload.get('event_id')}", "sk": "event",
                  "expires_at": int(time.time()) + 86400},
            ConditionExpression="attribute_not_exists(pk)")
    except services.jobs().table.meta.client.exceptions.ConditionalCheckFailedException:
        return _json(200, {"ok": True, "duplicate": True})
    _answer_async(ask.model_dump())
    return _json(200, {"ok": True})


@app.post("/hooks/slack/commands")
def slack_command() -> Response:
    body = _raw_body()
    verify_slack(_secret("slack", "signing_secret"), dict(app.current_event.headers or {}), body, time.time())
    try:
        form = dict(parse_qsl(body.decode("utf-8")))
    except UnicodeDecodeError:
        raise BadBody(400, "the slash command's form body is not UTF-8") from None
    ask = command_to_ask(form)
    if ask is None:
        return _json(200, {"response_type": "ephemeral",
                           "text": "Usage: /teamlens <question> | summarize #channel [7d] | report weekly"})
    _answer_async(ask.model_dump())
    return _json(200, {"response_type": "ephemeral", "text": f"Working on it: {ask.text}"})


@app.post("/hooks/gitlab")
def gitlab_hook() -> Response:
    verify_gitlab(_secret("gitlab", "webhook_token"), dict(app.current_event.headers or {}))
    request = review_request(_json_object(_raw_body()))
    if request is None:
        return _json(200, {"status": "ignored"})
    job_id = review_job_id(request["project"], request["iid"], request["head"])
    try:
        # An update that pushed commits carries the previous head: only what those commits added is reviewed.
        args = {"project": request["project"], "iid": request["iid"], "post": True,
                **({"since_sha": request["oldrev"]} if request["oldrev"] else {})}
        services.jobs().start("review_mr", args, job_id=job_id)
    except JobExists:
        return _json(200, {"status": "already reviewing this head", "job_id": job_id})
    return _json(202, {"status": "review started", "job_id": job_id})


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    try:
        return app.resolve(event, context)
    except Exception:  # answer JSON, not an API Gateway 502 (senders retry on 5xx)
        logger.exception("unhandled error")
        return error_response(500, "internal error", request_id=context.aws_request_id)
