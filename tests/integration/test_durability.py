"""Nothing fetched is lost when indexing fails: the fault matrix of the ingestion path, against the deployed
stack, with the real model host, ChromaDB and DynamoDB, counting what is in each before and after."""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import boto3
import pytest

from tests.integration.stack_api import by_source, chroma_hits, sim

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def state_table(full_stack):
    from devstack.deploy import region

    return boto3.resource("dynamodb", endpoint_url=full_stack["endpoint"], region_name=region(),
                          aws_access_key_id="test", aws_secret_access_key="test").Table(
        full_stack["outputs"]["IngestionStateTable"])


def pending_keys(table, source: str) -> set[str]:
    from teamlens.ingestion.pending import PendingIndex

    waiting = PendingIndex(table).keys(source)
    return set(waiting.changed) | set(waiting.deleted)


def cursor_version(table, source: str) -> int:
    item = table.get_item(Key={"pk": f"cursor#{source}", "sk": "cursor"}, ConsistentRead=True).get("Item") or {}
    return int(item.get("version", 0))


@contextmanager
def stopped(stop: Callable[[], object], start: Callable[[], object]) -> Iterator[None]:
    stop()
    try:
        yield
    finally:
        start()


def _model_host() -> tuple[Callable[[], object], Callable[[], object]]:
    from devstack import model_host
    from devstack.config import Ports

    return model_host.stop, lambda: model_host.start(Ports().model_host)


def _chroma() -> tuple[Callable[[], object], Callable[[], object]]:
    from devstack import chroma
    from devstack.config import Ports

    return chroma.stop_chroma, lambda: chroma.start_chroma(Ports().chroma)


@pytest.mark.parametrize("down", [_model_host, _chroma], ids=["model-host-down", "chroma-down"])
def test_objects_fetched_while_the_index_is_down_are_indexed_by_the_next_run(down, demo_indexed, api, full_stack,
                                                                              state_table):
    api.ingest(["slack"])  # catch up on what earlier tests changed, so this run's changes are only ours
    assert not pending_keys(state_table, "slack")
    words = [f"pelican{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for word in words:
        sim(full_stack["slack_url"], "/_sim/slack/messages", {"channel": "general", "text": f"durability probe {word}"})
    version = cursor_version(state_table, "slack")

    with stopped(*down()):
        failed = api.ingest(["slack"])

    # The run says what happened: the fetch moved on, the index did not, and nothing claims success.
    assert failed["status"] == "FAILED", failed
    slack = by_source(failed)["slack"]
    assert slack["status"] == "failed" and slack["error"], slack
    assert cursor_version(state_table, "slack") > version  # the cursor passed the new messages...
    waiting = pending_keys(state_table, "slack")
    assert len(waiting) >= 1, "the fetched objects must stay marked for indexing"  # ...but they are remembered
    assert all(chroma_hits(full_stack["chroma_url"], "slack", w) == 0 for w in words)

    caught_up = api.ingest(["slack"])
    assert caught_up["status"] == "SUCCEEDED", caught_up
    slack = by_source(caught_up)["slack"]
    assert slack["status"] == "indexed" and slack["counts"]["carried"] == len(waiting), slack
    assert [chroma_hits(full_stack["chroma_url"], "slack", w) for w in words] == [1, 1, 1]
    assert not pending_keys(state_table, "slack")


def test_a_mark_newer_than_the_index_read_survives_the_clear(state_table):
    """An object fetched again while an index step was reading the older version stays pending."""
    from teamlens.ingestion.pending import PendingIndex
    from teamlens.ingestion.state import now_iso

    pending = PendingIndex(state_table)
    source = f"probe{uuid.uuid4().hex[:6]}"
    before = now_iso()
    assert pending.mark(source, changed=["raw/a.json", "raw/b.json"], deleted=["raw/c.json", "raw/b.json"],
                        run_id="r1") == 3
    assert pending.keys(source) == (["raw/a.json", "raw/b.json"], ["raw/c.json"])  # b: written after all
    assert pending.clear(source, ["raw/a.json", "raw/b.json", "raw/c.json"], read_at=before) == 0
    assert len(pending_keys(state_table, source)) == 3
    time.sleep(0.01)  # marks and reads are stamped to the millisecond
    assert pending.clear(source, ["raw/a.json", "raw/c.json", "raw/not-marked.json"], read_at=now_iso()) == 2
    assert pending.keys(source) == (["raw/b.json"], [])


@pytest.mark.parametrize("down", [_model_host, _chroma], ids=["model-host", "chroma"])
def test_a_question_asked_while_a_sidecar_dies_or_is_down_gets_an_answer_or_a_503(down, demo_indexed, api):
    """Killed during a question, or already down: the asker gets a 200 (from what could still be used) or a
    503 with Retry-After naming the dependency, never a 500 or a hang; once it is back, questions answer."""
    from concurrent.futures import ThreadPoolExecutor

    stop, start = down()
    question = {"question": "Which date library did the frontend choose?"}
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            during = pool.submit(api.request, "POST", "/ask", question, timeout=120)
            time.sleep(0.3)  # the question is on its way: retrieval or generation
            stop()
            results = [during.result(), api.request("POST", "/ask", question, timeout=120)]
    finally:
        start()
    for status, body, headers in results:
        assert status in (200, 503), (status, body)
        if status == 503:
            assert int(headers.get("Retry-After", "0")) > 0 and body["message"], body
    assert results[1][0] == 503  # while down
    status, body = api.call("POST", "/ask", question, timeout=120)
    assert status == 200 and body["citations"], body
