"""Conversation turns and job records on the deployed DynamoDB table (LocalStack, DynamoDB Local)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from teamlens.conversations import ConversationNotFound, Conversations
from teamlens.jobs import JobNotFound, Jobs

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def table(stack, localstack):
    ddb = boto3.resource("dynamodb", endpoint_url=localstack.endpoint, region_name=localstack.region,
                         aws_access_key_id="test", aws_secret_access_key="test")
    return ddb.Table(stack["outputs"]["ConversationsTable"])


def turn(q: str) -> dict:
    return {"question": q, "answer": f"answer to {q}", "intent": "search", "timings_ms": {"total": 12.5},
            "citations": [{"n": 1, "title": "t", "url": "https://example.test/1", "source": "slack"}]}


def test_turns_come_back_in_order_with_their_fields(table):
    conv = Conversations(table)
    cid = conv.create()
    for q in ("first", "second", "third"):
        conv.append(cid, turn(q))
    got = conv.get(cid)
    assert [t.question for t in got.turns] == ["first", "second", "third"]
    assert [t.n for t in got.turns] == [1, 2, 3]
    assert got.turns[0].timings_ms == {"total": 12.5} and got.turns[0].citations[0].url == "https://example.test/1"
    assert [t.question for t in conv.turns(cid, last=2)] == ["second", "third"]


def test_concurrent_turns_never_overwrite_each_other(table):
    conv = Conversations(table)
    cid = conv.create()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: conv.append(cid, turn(f"q{i}")), range(16)))
    turns = conv.get(cid).turns
    assert sorted(t.question for t in turns) == sorted(f"q{i}" for i in range(16))
    assert [t.n for t in turns] == list(range(1, 17))


def test_unknown_or_malformed_conversation(table):
    conv = Conversations(table)
    for cid in ("0" * 32, "../etc", ""):
        with pytest.raises(ConversationNotFound):
            conv.get(cid)
        assert not conv.exists(cid)


def test_job_progress_result_and_failure(table):
    jobs = Jobs(table)  # no Step Functions: the record alone
    job_id = "job-" + "a" * 32
    table.put_item(Item={"pk": f"job#{job_id}", "sk": "job", "kind": "job", "created_at": "2026-11-24T00:00:00+00:00",
                         "job": {"job_id": job_id, "kind": "report", "status": "RUNNING", "args": {},
                                 "created_at": "2026-11-24T00:00:00+00:00", "updated_at": "2026-11-24T00:00:00+00:00"}})
    jobs.progress(job_id, "reading issues", 3, 10)
    got = jobs.get(job_id)
    assert (got.status, got.progress.stage, got.progress.done, got.progress.total) == ("RUNNING", "reading issues", 3, 10)
    jobs.succeed(job_id, {"markdown": "# Weekly", "numbers": {"closed": 4.5}})
    got = jobs.get(job_id)
    assert got.status == "SUCCEEDED" and got.result == {"markdown": "# Weekly", "numbers": {"closed": 4.5}}
    jobs.fail(job_id, "x" * 5000)
    assert len(jobs.get(job_id).error) == 2000
    with pytest.raises(JobNotFound):
        jobs.get("job-" + "b" * 32)
    with pytest.raises(Exception):  # noqa: B017 - a missing job's update must not create a half record
        jobs.progress("job-" + "c" * 32, "x")
    with pytest.raises(JobNotFound):
        jobs.get("job-" + "c" * 32)
