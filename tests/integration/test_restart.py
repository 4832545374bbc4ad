"""LocalStack crashes (its process killed, as a crash or a reboot would) and comes back: what users made is
still there, counted per table and per S3 prefix, and the API URL and key a client holds still work.

This test restarts the session's LocalStack and redeploys the stack; the tests after it run against the
restored stack (the fixtures' dicts are updated in place, and the URL and key are the same by design).
"""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.integration.stack_api import chroma_collection

pytestmark = pytest.mark.integration
SNAPSHOT_S = 3.0


def chunk_counts(chroma_url: str) -> dict[str, int]:
    return {s: chroma_collection(chroma_url, s).count() for s in ("gitlab", "slack", "backlog")}


def test_state_url_and_key_survive_a_localstack_crash(full_stack, stack, demo_indexed, api, localstack):
    from devstack import deploy, snapshot
    from devstack import localstack as ls
    from devstack.config import Ports
    from devstack.processes import stop

    status, asked = api.call("POST", "/ask", {"question": "Which date library did the frontend choose?"},
                             timeout=120)
    assert status == 200, asked
    conversation = asked["conversation_id"]
    # Work in flight when LocalStack dies: a summary job and an ingestion run.
    status, job = api.call("POST", "/summaries", {"channel": "general", "range": "7d"})
    assert status == 202, job
    status, run = api.call("POST", "/ingest", {})
    assert status == 202, run
    deadline = time.time() + 60
    while time.time() < deadline:  # until the run has recorded a source (its fetch started)
        if any(s["status"] != "pending" for s in api.call("GET", f"/ingest/runs/{run['run_id']}")[1]["sources"]):
            break
        time.sleep(0.5)
    written_at = time.time()

    stop(snapshot.SERVICE)  # one started by an earlier `devstack up` in this session, at its own interval
    snapshot.wipe()
    snapshot.mark_restored()
    os.environ["TEAMLENS_SNAPSHOT_S"] = str(SNAPSHOT_S)
    snapshot.start_snapshotter(localstack.endpoint)
    try:
        meta = snapshot.wait_for_snapshot_after(written_at, timeout=120)
    finally:
        stop(snapshot.SERVICE)
        os.environ.pop("TEAMLENS_SNAPSHOT_S")
    before_items, before_objects = snapshot.table_counts(localstack.endpoint), snapshot.object_counts(localstack.endpoint)
    before_chunks = chunk_counts(full_stack["chroma_url"])
    assert before_items["ConversationsTable"] > 0 and before_objects["raw/slack"] > 0

    pid = ls.SERVICE.pid()
    os.killpg(pid, signal.SIGKILL)  # a crash: no shutdown hook runs
    ls.stop_localstack()  # reaps it and removes the pid file
    t0 = time.time()
    ls.start_localstack(Ports().localstack)
    ls.check_executor(Ports().localstack)
    deploy.deploy(localstack.endpoint)
    restored = snapshot.restore(localstack.endpoint)
    snapshot.mark_restored()
    info = deploy.stack_info(localstack.endpoint)
    back_s = time.time() - t0
    stack.update(info)
    full_stack.update(info)
    deploy.write_stack_json(full_stack)

    after_items, after_objects = snapshot.table_counts(localstack.endpoint), snapshot.object_counts(localstack.endpoint)
    after_chunks = chunk_counts(full_stack["chroma_url"])  # the run in flight may have added some
    assert all(after_chunks[s] >= n for s, n in before_chunks.items()), (before_chunks, after_chunks)
    report = {"back_up_s": round(back_s, 1), "snapshot_s": meta["seconds"], "restore_s": restored.seconds,
              "items_before": before_items, "items_after": after_items,
              "objects_before": before_objects, "objects_after": after_objects}
    print(json.dumps(report))
    assert after_items == before_items, report
    assert after_objects == before_objects, report
    assert (info["api_url"], info["api_key"]) == (api.url, api.key)  # the URL and key clients hold

    status, turns = api.call("GET", f"/conversations/{conversation}")
    assert status == 200 and turns["turns"], turns
    status, run = api.call("GET", f"/ingest/runs/{demo_indexed['run_id']}")
    assert status == 200 and run["status"] == "SUCCEEDED", run  # its execution's history is gone; records are not

    # What was in flight is reported as ended, never left running; the next run completes.
    interrupted = api.poll(f"/jobs/{job['job_id']}", timeout=90)
    assert interrupted["status"] == "SUCCEEDED" or "interrupted" in interrupted["error"], interrupted
    assert api.call("GET", f"/ingest/runs/{run['run_id']}")[1]["status"] != "RUNNING"
    again = api.ingest()
    assert again["status"] == "SUCCEEDED" and all(s["status"] == "indexed" for s in again["sources"]), again
