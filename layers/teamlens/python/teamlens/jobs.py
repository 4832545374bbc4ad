"""Long jobs (summaries, reviews, reports): a Step Functions execution named by the job id, plus a job item
in the Conversations table that the job's Lambda updates with progress and the result.

The item is what `GET /jobs/{id}` shows; the execution is reconciled with it so a job whose Lambda crashed or
timed out (and so could not write its own failure) still reads as failed, with the reason.
Layout: pk=`job#<id>`, sk=`job`, kind="job" (listed through the by_kind index by created_at).
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel

from teamlens.dynamo_values import from_dynamo, to_dynamo

JobKind = Literal["summarize_slack", "review_mr", "report"]
JobState = Literal["RUNNING", "SUCCEEDED", "FAILED"]
# Jobs started through the API are named job-<hex>; an execution started directly (console, CLI, the weekly
# schedule) keeps the name it was given, by default a UUID.
JOB_ID = re.compile(r"^(?:job-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_-]{1,80})$")
RETENTION = timedelta(days=30)
ORPHAN_AFTER = timedelta(seconds=30)  # a job item is written just before its execution starts


class Progress(BaseModel):
    stage: str = "queued"
    done: int = 0
    total: int = 0


class Job(BaseModel):
    job_id: str
    kind: JobKind
    status: JobState
    args: dict[str, Any] = {}
    progress: Progress = Progress()
    result: dict[str, Any] | None = None
    error: str | None = None
    conversation_id: str | None = None
    notify: dict[str, Any] | None = None  # where to post the result when done, e.g. {"slack_channel", "thread_ts"}
    created_at: str
    updated_at: str


class JobNotFound(LookupError):
    pass


class JobExists(RuntimeError):
    """A job with this id was started before (a redelivered request)."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _age(iso: str) -> timedelta:
    try:
        return datetime.now(UTC) - datetime.fromisoformat(iso)
    except ValueError:
        return timedelta(0)


class Jobs:
    def __init__(self, table, sfn=None, state_machine_arn: str = "") -> None:
        self.table, self.sfn, self.state_machine_arn = table, sfn, state_machine_arn

    def start(self, kind: JobKind, args: dict[str, Any], *, conversation_id: str | None = None,
              notify: dict[str, Any] | None = None, job_id: str | None = None) -> Job:
        """`job_id`: a name derived from the request (e.g. an MR head), so a redelivered webhook cannot start
        the same work twice; raises `JobExists` then."""
        job_id = job_id or f"job-{uuid.uuid4().hex}"
        # The item first: a fast job could otherwise report progress on an item that does not exist yet.
        job = self._new(job_id, kind, args, conversation_id=conversation_id, notify=notify)
        if not self._create(job):
            raise JobExists(job_id)
        try:
            self.sfn.start_execution(stateMachineArn=self.state_machine_arn, name=job_id,
                                     input=json.dumps({"job_id": job_id, "kind": kind, "args": args}))
        except Exception as exc:
            self.fail(job_id, f"the job could not be started: {exc}")
            raise
        return job

    def record(self, job_id: str, kind: JobKind, args: dict[str, Any], *, conversation_id: str | None = None,
               notify: dict[str, Any] | None = None) -> Job:
        """The job item, created once (an execution started outside the API gets its item from its runner)."""
        job = self._new(job_id, kind, args, conversation_id=conversation_id, notify=notify)
        return job if self._create(job) else self.get(job_id)

    @staticmethod
    def _new(job_id: str, kind: JobKind, args: dict[str, Any], **fields: Any) -> Job:
        now = _now()
        return Job(job_id=job_id, kind=kind, status="RUNNING", args=args, created_at=now, updated_at=now, **fields)

    def _create(self, job: Job) -> bool:
        """Put the item unless it exists; False when it did."""
        try:
            self.table.put_item(Item={"pk": f"job#{job.job_id}", "sk": "job", "kind": "job", "created_at": job.created_at,
                                      "expires_at": int((datetime.now(UTC) + RETENTION).timestamp()),
                                      "job": to_dynamo(job.model_dump(mode="json"))},
                                ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def get(self, job_id: str) -> Job:
        if not JOB_ID.match(job_id):
            raise JobNotFound(job_id)
        item = self.table.get_item(Key={"pk": f"job#{job_id}", "sk": "job"}).get("Item")
        if item is None:
            return self._from_execution(job_id)
        job = Job.model_validate(from_dynamo(item["job"]))
        if job.status == "RUNNING" and self.sfn is not None:
            job = self._reconcile(job)
        return job

    def recent(self, limit: int = 20) -> list[Job]:
        """The newest jobs first (RUNNING ones reconciled with their executions)."""
        from boto3.dynamodb.conditions import Key

        items = self.table.query(IndexName="by_kind", KeyConditionExpression=Key("kind").eq("job"),
                                 ScanIndexForward=False, Limit=limit)["Items"]
        jobs = [Job.model_validate(from_dynamo(i["job"])) for i in items if "job" in i]
        return [self._reconcile(j) if j.status == "RUNNING" and self.sfn is not None else j for j in jobs]

    def _from_execution(self, job_id: str) -> Job:
        """A job started directly in Step Functions whose runner has not created its item yet."""
        if self.sfn is None:
            raise JobNotFound(job_id)
        try:
            desc = self.sfn.describe_execution(executionArn=self._execution_arn(job_id))
        except ClientError:
            raise JobNotFound(job_id) from None
        try:
            given = json.loads(desc.get("input") or "{}")
            job = Job(job_id=job_id, kind=given.get("kind"), status="RUNNING", args=given.get("args") or {},
                      created_at=desc["startDate"].isoformat(), updated_at=desc["startDate"].isoformat())
        except (ValueError, TypeError):  # an input that is not a job: not ours to show
            raise JobNotFound(job_id) from None
        return self._reconcile(job)

    def _execution_arn(self, job_id: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{job_id}"

    def _reconcile(self, job: Job) -> Job:
        try:
            desc = self.sfn.describe_execution(executionArn=self._execution_arn(job.job_id))
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ExecutionDoesNotExist" and job.status == "RUNNING" and \
                    _age(job.created_at) > ORPHAN_AFTER:
                # Its execution is gone (the local stack restarted while it ran): it will never finish.
                return job.model_copy(update={"status": "FAILED", "error": "the job was interrupted: its "
                                              "execution no longer exists (the stack restarted); start it again"})
            return job
        if desc["status"] in ("FAILED", "TIMED_OUT", "ABORTED"):
            reason = desc.get("cause") or desc.get("error") or desc["status"].lower()
            return job.model_copy(update={"status": "FAILED", "error": f"the job {desc['status'].lower()}: {reason}"[:1000]})
        return job

    def progress(self, job_id: str, stage: str, done: int = 0, total: int = 0) -> None:
        self._update(job_id, {"progress": Progress(stage=stage, done=done, total=total).model_dump()})

    def succeed(self, job_id: str, result: dict[str, Any]) -> None:
        self._update(job_id, {"status": "SUCCEEDED", "result": result,
                              "progress": {"stage": "done", "done": 1, "total": 1}})

    def fail(self, job_id: str, error: str) -> None:
        self._update(job_id, {"status": "FAILED", "error": error[:2000]})

    def _update(self, job_id: str, fields: dict[str, Any]) -> None:
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":v{i}": to_dynamo(v) for i, v in enumerate(fields.values())}
        sets = ", ".join(f"#job.#f{i} = :v{i}" for i in range(len(fields)))
        self.table.update_item(
            Key={"pk": f"job#{job_id}", "sk": "job"},
            UpdateExpression=f"SET {sets}, #job.updated_at = :now",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={**names, "#job": "job"}, ExpressionAttributeValues={**values, ":now": _now()})
