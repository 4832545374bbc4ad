"""The second step of posting a report: check the confirmation token, then post the preview to each target
once. Each target is its own idempotent operation (Powertools idempotency on DynamoDB, keyed by job, token
and target), so a retried confirm — or one retried after only one target failed — never posts twice."""
from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from teamlens.agents.args import PostTargets
from teamlens.agents.errors import AgentError, NotFound, SourceDown
from teamlens.chatops.slack_format import slack_text
from teamlens.jobs import Job
from teamlens.sources import SourceError

IDEMPOTENCY_TTL_S = 30 * 24 * 3600


class ConfirmRequest(BaseModel):
    token: str = Field(min_length=8, max_length=200, description="the confirmation token from the report's preview")
    post_to: PostTargets | None = Field(default=None, description="targets, when the report request named none")


class ConfirmRejected(AgentError):
    status = 409


def targets_for(job: Job, request: ConfirmRequest) -> PostTargets:
    if job.kind != "report":
        raise NotFound(f"job {job.job_id} is not a report")
    if job.status != "SUCCEEDED" or not job.result:
        raise ConfirmRejected(f"report {job.job_id} is {job.status.lower()}: only a finished report can be posted")
    confirmation = job.result.get("confirmation") or {}
    if not hmac.compare_digest(str(confirmation.get("token", "")), request.token):
        raise ConfirmRejected("the confirmation token does not match this report's preview")
    expires = confirmation.get("expires_at")
    if expires and datetime.fromisoformat(expires) < datetime.now(UTC):
        raise ConfirmRejected("the confirmation token has expired: start the report again")
    named = PostTargets.model_validate(confirmation.get("post_to") or {})
    chosen = request.post_to or named
    if request.post_to and confirmation.get("post_to") and request.post_to != named:
        raise ConfirmRejected("the report was previewed for other targets than this confirm names")
    if not chosen.slack_channel and not chosen.backlog_project:
        raise ConfirmRejected("name where to post: post_to.slack_channel and/or post_to.backlog_project")
    return chosen


def post_slack(slack, channel: str, markdown: str) -> dict[str, Any]:
    from teamlens.agents.summarize.messages import find_channel

    cid = find_channel(slack, channel)["id"]
    try:
        sent = slack._call("chat.postMessage", channel=cid, text=slack_text(markdown), unfurl_links="false")
    except SourceError as exc:
        raise SourceDown(f"posting to Slack #{channel} failed: {exc}") from None
    return {"channel": cid, "ts": sent["ts"], "permalink": slack.permalink(cid, sent["ts"])}


def post_backlog(backlog, project_key: str, title: str, markdown: str) -> dict[str, Any]:
    try:
        project = backlog.request("GET", f"/projects/{project_key}")
    except SourceError as exc:
        if exc.status == 404:
            raise NotFound(f"Backlog project {project_key} was not found") from None
        raise SourceDown(f"Backlog is unavailable: {exc}") from None
    try:
        types = backlog.request("GET", f"/projects/{project_key}/issueTypes")
        priorities = backlog.request("GET", "/priorities")
        normal = next((p for p in priorities if p["id"] == 3), priorities[len(priorities) // 2])
        issue = backlog.request("POST", "/issues", data={
            "projectId": project["id"], "summary": title[:255], "description": markdown,
            "issueTypeId": types[-1]["id"], "priorityId": normal["id"]})
    except SourceError as exc:
        raise SourceDown(f"creating the Backlog issue in {project_key} failed: {exc}") from None
    return {"issue_key": issue["issueKey"], "id": issue["id"]}


def confirm(job: Job, request: ConfirmRequest, *, slack: Callable[[], Any], backlog: Callable[[], Any],
            idempotency_table: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    targets = targets_for(job, request)
    result = job.result or {}
    store = DynamoDBPersistenceLayer(table_name=idempotency_table)
    config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=IDEMPOTENCY_TTL_S)

    @idempotent_function(data_keyword_argument="target", persistence_store=store, config=config)
    def post_once(target: dict[str, str]) -> dict[str, Any]:
        if target["kind"] == "slack":
            return post_slack(slack(), target["name"], result["markdown"])
        return post_backlog(backlog(), target["name"], result.get("title") or "teamlens report", result["markdown"])

    posted: dict[str, Any] = {}
    for kind, name in (("slack", targets.slack_channel), ("backlog", targets.backlog_project)):
        if name:
            posted[kind] = post_once(target={"kind": kind, "name": name,
                                             "key": f"{job.job_id}:{request.token}:{kind}:{name}"})
    return {"job_id": job.job_id, "posted": posted}
