"""Runs one long job (a summary, review or report) for the jobs state machine, recording progress and the
outcome on the job item. Input: {job_id, kind, args} (job_id is the execution's name), or {job_id, failure:
{Error, Cause}} when the state machine caught a crash of the run itself. An execution started outside the
API (directly, or by the weekly schedule) has no job item yet: the run creates it."""
from __future__ import annotations

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens import services
from teamlens.agents import AgentError, run_agent
from teamlens.jobs import JobNotFound

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    jobs, job_id = services.jobs(), event["job_id"]
    logger.append_keys(job_id=job_id)
    if "failure" in event:
        # An agent error was already recorded in the agent's words; only a crash or timeout needs recording.
        try:
            if jobs.get(job_id).status != "FAILED":
                jobs.fail(job_id, _reason(event["failure"]))
        except JobNotFound:  # the input was invalid before an item existed: the execution's error says why
            pass
        return {"job_id": job_id, "status": "FAILED"}
    job = jobs.record(job_id, event["kind"], event.get("args") or {})  # the API's item when it made one
    try:
        result = run_agent(event["kind"], event.get("args") or {},
                           progress=lambda stage, done=0, total=0: jobs.progress(job_id, stage, done, total))
    except AgentError as exc:
        # A failure the agent understands (unknown channel, source down): recorded as the job's reason, and
        # raised so the execution fails too.
        jobs.fail(job_id, str(exc))
        notify(job.notify, f"{event['kind']} failed: {exc}")
        raise
    jobs.succeed(job_id, result)
    notify(job.notify, result.get("markdown") or json.dumps(result, ensure_ascii=False)[:3000])
    return {"job_id": job_id, "status": "SUCCEEDED"}


def notify(target: dict | None, text: str) -> None:
    """Post the outcome where the request came from (a Slack thread); the job's result stands either way."""
    if not target or not target.get("slack_channel"):
        return
    from teamlens.agents import connections
    from teamlens.chatops.slack_format import slack_text

    try:
        connections.slack()._call("chat.postMessage", channel=target["slack_channel"], text=slack_text(text)[:39000],
                                  **({"thread_ts": target["thread_ts"]} if target.get("thread_ts") else {}))
    except Exception:  # a failed notification is logged, not a failed job
        logger.exception("could not post the job's outcome to Slack")


def _reason(failure: dict) -> str:
    cause = failure.get("Cause") or ""
    try:  # a Lambda error's cause is its JSON error object; keep the message, not the stack trace
        parsed = json.loads(cause)
        return f"{parsed.get('errorType') or failure.get('Error', 'Error')}: {parsed.get('errorMessage', '')}"[:2000]
    except (json.JSONDecodeError, AttributeError):
        return f"{failure.get('Error', 'Error')}: {cause}"[:2000]
