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
    return api.ingest()
