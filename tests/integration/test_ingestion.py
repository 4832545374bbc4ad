"""Ingestion end to end through the deployed stack: API → Step Functions → fetch/index Lambdas → S3,
DynamoDB and ChromaDB, against the source simulators serving the demo workspace."""
from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from tests.integration.stack_api import by_source, chroma_collection, chroma_hits, sim

pytestmark = pytest.mark.integration


def s3_keys(aws, bucket: str, prefix: str) -> list[str]:
    pages = aws("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for p in pages for o in p.get("Contents", [])]


def chroma_count(url: str, source: str) -> int:
    return chroma_collection(url, source).count()


@pytest.fixture(scope="module")
def first_run(demo_indexed) -> dict:
    return demo_indexed


def test_full_ingest_stores_the_workspace(first_run, full_stack, aws):
    assert first_run["status"] == "SUCCEEDED"
    sources = by_source(first_run)
    assert {s: v["status"] for s, v in sources.items()} == {"gitlab": "indexed", "slack": "indexed",
                                                              "backlog": "indexed"}, first_run
    bucket = full_stack["outputs"]["RawBucket"]
    assert len(s3_keys(aws, bucket, "raw/backlog/issues/")) == 155
    assert len(s3_keys(aws, bucket, "raw/gitlab/merge_requests/")) == 42
    assert len(s3_keys(aws, bucket, "raw/gitlab/issues/")) == 10
    assert len(s3_keys(aws, bucket, "raw/slack/threads/")) > 300
    for source in ("gitlab", "slack", "backlog"):
        assert sources[source]["counts"]["indexed_chunks"] > 0
        assert chroma_count(full_stack["chroma_url"], source) > 0


def test_second_run_adds_nothing(first_run, api, full_stack):
    # Tests before this one may have changed the sources (review comments on an MR, Slack replies):
    # catch up on those first, then a run with nothing new must add nothing.
    api.ingest()
    before = {s: chroma_count(full_stack["chroma_url"], s) for s in ("gitlab", "slack", "backlog")}
    run = api.ingest()
    assert run["status"] == "SUCCEEDED"
    for status in by_source(run).values():
        assert status["status"] == "indexed", status
        assert status["counts"]["changed"] == 0 and status["counts"]["deleted"] == 0, status
    assert before == {s: chroma_count(full_stack["chroma_url"], s) for s in before}


def test_slack_edit_delete_and_late_reply_are_picked_up(first_run, api, full_stack, aws):
    slack = full_stack["slack_url"]
    bucket = full_stack["outputs"]["RawBucket"]
    # The newest thread with replies: inside the sync's rescan window (older threads are not re-read).
    key = max(s3_keys(aws, bucket, "raw/slack/threads/"), key=lambda k: float(k.rsplit("/", 1)[1][:-5]))
    obj = json.loads(aws("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    channel, parent = obj["channel"]["id"], obj["messages"][0]
    reply = sim(slack, "/_sim/slack/messages", {"channel": channel, "thread_ts": parent["ts"],
                                                  "text": "late reply: zebra-canary-42"})
    sim(slack, "/_sim/slack/edit", {"channel": channel, "ts": parent["ts"], "text": "edited parent: okapi-77"})
    victim = obj["messages"][1]["ts"] if len(obj["messages"]) > 2 else None
    if victim:
        sim(slack, "/_sim/slack/delete", {"channel": channel, "ts": victim})
    run = api.ingest(["slack"])
    assert by_source(run)["slack"]["status"] == "indexed", run
    assert by_source(run)["slack"]["counts"]["changed"] >= 1
    new = json.loads(aws("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    texts = [m["text"] for m in new["messages"]]
    assert "late reply: zebra-canary-42" in texts
    assert new["messages"][0]["text"] == "edited parent: okapi-77"
    if victim:
        assert victim not in [m["ts"] for m in new["messages"]]
    assert reply["ok"]


def test_rate_limits_and_server_errors_are_retried(first_run, api, full_stack):
    sim(full_stack["backlog_url"], "/_sim/faults", {"mode": "rate_limit", "count": 3, "retry_after": 1})
    sim(full_stack["gitlab_url"], "/_sim/faults", {"mode": "error_500", "count": 2})
    try:
        run = api.ingest(["gitlab", "backlog"])
    finally:
        for name in ("gitlab", "backlog"):
            sim(full_stack[f"{name}_url"], "/_sim/faults", {"mode": "none"})
    assert {s: v["status"] for s, v in by_source(run).items()} == {"gitlab": "indexed", "backlog": "indexed"}, run


def test_a_source_down_fails_alone_and_catches_up_next_run(first_run, api, full_stack, aws):
    backlog = full_stack["backlog_url"]
    table = aws("dynamodb")
    name = full_stack["outputs"]["IngestionStateTable"]

    def cursor_version() -> str:
        item = table.get_item(TableName=name, Key={"pk": {"S": "cursor#backlog"}, "sk": {"S": "cursor"}})["Item"]
        return item["version"]["N"]

    version = cursor_version()
    sim(backlog, "/_sim/faults", {"mode": "down"})
    try:
        run = api.ingest(["slack", "backlog"])
    finally:
        sim(backlog, "/_sim/faults", {"mode": "none"})
    assert run["status"] == "PARTIAL"  # the other source completes; the failed branch is recorded
    statuses = by_source(run)
    assert statuses["slack"]["status"] == "indexed"
    assert statuses["backlog"]["status"] == "failed"
    assert "503" in statuses["backlog"]["error"]
    assert cursor_version() == version  # the cursor did not move

    again = api.ingest(["backlog"])
    assert by_source(again)["backlog"]["status"] == "indexed"
    assert cursor_version() != version


def test_wrong_token_is_a_clear_auth_error(first_run, api, full_stack, aws):
    secrets = aws("secretsmanager")
    arn = full_stack["outputs"]["SlackSecretArn"]
    original = secrets.get_secret_value(SecretId=arn)["SecretString"]
    secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({**json.loads(original), "token": "xoxb-wrong"}))
    try:
        time.sleep(1)
        run = api.ingest(["slack"])
    finally:
        secrets.put_secret_value(SecretId=arn, SecretString=original)
    status = by_source(run)["slack"]
    assert status["status"] == "failed"
    assert "invalid_auth" in status["error"]
    assert "xoxb-wrong" not in json.dumps(run)


def test_unknown_run_is_404_and_bad_source_is_422(api):
    assert api.call("GET", "/ingest/runs/run-does-not-exist")[0] == 404
    status, body = api.call("POST", "/ingest", {"sources": ["jira"]})
    assert status == 422
    assert "sources" in json.dumps(body)


def test_counts_per_source_are_consistent(first_run):
    counts = Counter()
    for s in first_run["sources"]:
        counts[s["source"]] = s["counts"].get("indexed_objects", 0)
    assert counts["backlog"] >= 155 and counts["gitlab"] >= 42


def _chroma_ids(url: str, source: str) -> set[str]:
    return set(chroma_collection(url, source).get(include=[])["ids"])


def test_reindex_from_s3_gives_the_same_chunk_set(first_run, api, full_stack):
    before = {s: _chroma_ids(full_stack["chroma_url"], s) for s in ("gitlab", "backlog")}
    status, body = api.call("POST", "/reindex", {"sources": ["gitlab", "backlog"]})
    assert status == 202, body
    deadline = time.time() + 420
    while time.time() < deadline:
        _, run = api.call("GET", f"/ingest/runs/{body['run_id']}")
        if run["status"] != "RUNNING":
            break
        time.sleep(1)
    assert run["status"] == "SUCCEEDED", run
    assert {s["source"]: s["status"] for s in run["sources"]} == {"gitlab": "indexed", "backlog": "indexed"}
    assert before == {s: _chroma_ids(full_stack["chroma_url"], s) for s in before}


def test_the_bots_own_messages_are_not_ingested(first_run, api, full_stack, aws):
    """teamlens's replies ("the language model is busy…", answers, reports) must never come back as sources."""
    from slack_sdk import WebClient

    started = time.time()
    slack = WebClient(token="xoxb-teamlens-local", base_url=full_stack["slack_url"] + "/api/")
    human = sim(full_stack["slack_url"], "/_sim/slack/messages", {"channel": "general", "text": "human heron-5150"})
    slack.chat_postMessage(channel="general", text="bot said flamingo-6160 on its own")
    slack.chat_postMessage(channel="general", thread_ts=human["ts"], text="bot replied ibis-7170 in the thread")
    sim(full_stack["slack_url"], "/_sim/slack/messages", {"channel": "general", "thread_ts": human["ts"],
                                                          "text": "human reply stork-8180"})
    run = api.ingest(["slack"])
    assert by_source(run)["slack"]["status"] == "indexed", run

    found = {w: chroma_hits(full_stack["chroma_url"], "slack", w)
             for w in ("heron-5150", "stork-8180", "flamingo-6160", "ibis-7170")}
    assert found == {"heron-5150": 1, "stork-8180": 1, "flamingo-6160": 0, "ibis-7170": 0}
    bucket, s3 = full_stack["outputs"]["RawBucket"], aws("s3")
    written = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="raw/slack/")
               for o in page.get("Contents", []) if o["LastModified"].timestamp() > started - 5]
    raw = [s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in written]
    assert any(b"heron-5150" in r for r in raw)
    assert not any(b"flamingo-6160" in r or b"ibis-7170" in r for r in raw)
