"""Fixtures of the integration tests that go through the deployed API."""
from __future__ import annotations

import pytest

from tests.integration.stack_api import Api, sim


@pytest.fixture(scope="session")
def api(full_stack) -> Api:
    return Api(full_stack)


@pytest.fixture(scope="session")
def demo_indexed(api, full_stack) -> dict:
    """The demo workspace ingested once per session (from reset simulators); the run's status."""
    for name in ("gitlab", "slack", "backlog"):
        sim(full_stack[f"{name}_url"], "/_sim/reset")
    run = api.ingest()
    # A test state folder kept from before the index model changed: rebuild its index, as `make up` does.
    from devstack.chroma import index_models

    _, health = api.call("GET", "/health")
    wanted = health.get("index_embedding_model")
    if wanted and full_stack.get("chroma_url") and index_models(full_stack["chroma_url"]) != {wanted}:
        status, body = api.call("POST", "/reindex", {})
        assert status == 202, body
        rebuilt = api.poll(f"/ingest/runs/{body['run_id']}", 600)
        assert rebuilt["status"] == "SUCCEEDED", rebuilt
    return run
