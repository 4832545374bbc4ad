"""Session fixtures: an isolated LocalStack (and the deployed stack) that the tests start themselves.

The test instance has its own state folder and ports, so a stack brought up with `make up` keeps running
untouched. Like Powertools' e2e suites: deploy once per session, share the outputs through fixtures.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Must be set before devstack is imported: its paths and ports are read at import.
# The test stack uses its own ports (a `make up` stack may be running on the defaults) and deploys with
# source URLs and sidecar URLs pointing at them.
# TEAMLENS_TEST_PORT_OFFSET lets a second test session run beside the first on one machine (each session
# also gets its own state folder).
_OFFSET = int(os.environ.get("TEAMLENS_TEST_PORT_OFFSET", "0"))
TEST_PORTS = {name: port + _OFFSET for name, port in {
    "LOCALSTACK_PORT": 4766, "CHROMADB_PORT": 8701, "MODEL_HOST_PORT": 8702,
    "GITLAB_SIM_PORT": 8711, "SLACK_SIM_PORT": 8712, "BACKLOG_SIM_PORT": 8713}.items()}
os.environ["TEAMLENS_STATE_DIR"] = str(ROOT / ".state" / (f"test-{_OFFSET}" if _OFFSET else "test"))
# The demo workspace the tests and question sets were written against (a new `make up` ends it today).
os.environ["TEAMLENS_DEMO_END"] = "2026-11-20"
for _name, _port in TEST_PORTS.items():
    os.environ[_name] = str(_port)
os.environ.update({
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "CHROMADB_HOST": "127.0.0.1",
    "MODEL_HOST_URL": f"http://127.0.0.1:{TEST_PORTS['MODEL_HOST_PORT']}",
    "GITLAB_URL": f"http://127.0.0.1:{TEST_PORTS['GITLAB_SIM_PORT']}",
    "SLACK_API_URL": f"http://127.0.0.1:{TEST_PORTS['SLACK_SIM_PORT']}/api/",
    "BACKLOG_URL": f"http://127.0.0.1:{TEST_PORTS['BACKLOG_SIM_PORT']}",
    # Never a developer's real tokens from .env: the test stack talks to the simulators.
    "GITLAB_TOKEN": "glpat-teamlens-local",
    "SLACK_BOT_TOKEN": "xoxb-teamlens-local",
    "BACKLOG_API_KEY": "teamlens-local-backlog-key",
    # Tests start every ingest themselves: a scheduled run firing mid-session would change what they see.
    "TEAMLENS_INGEST_SCHEDULE": "off",
})


@dataclass(frozen=True)
class LocalStack:
    endpoint: str
    region: str


@pytest.fixture(scope="session")
def localstack() -> Iterator[LocalStack]:
    from devstack import localstack as ls
    from devstack import snapshot
    from devstack.config import Ports

    port = Ports().localstack
    ls.stop_localstack()  # a leftover from an interrupted run (ours, by pid file)
    snapshot.wipe()  # a test session starts empty: an earlier session's snapshot must never be restored into it
    ls.start_localstack(port)
    try:
        ls.check_executor(port)
        yield LocalStack(endpoint=ls.endpoint(port), region=os.environ["AWS_DEFAULT_REGION"])
    finally:
        from devstack.processes import stop
        from devstack.snapshot import SERVICE as SNAPSHOTTER

        stop(SNAPSHOTTER)  # `devstack up` in a test starts one for this instance
        ls.stop_localstack()


@pytest.fixture(scope="session")
def aws(localstack: LocalStack) -> Callable[..., object]:
    from devstack.deploy import client

    return lambda service: client(service, localstack.endpoint)


@pytest.fixture(scope="session")
def stack(localstack: LocalStack) -> dict:
    """The CDK app deployed to the test LocalStack; its stack.json content."""
    from devstack import deploy

    deploy.deploy(localstack.endpoint)
    info = deploy.stack_info(localstack.endpoint)
    deploy.write_stack_json(info)
    return info


@pytest.fixture(scope="session")
def sidecars(localstack: LocalStack) -> Iterator[dict[str, str]]:
    """ChromaDB, the model host and the source simulators on the test ports, stopped by pid afterwards."""
    from devstack import chroma
    from devstack import sidecars as sc
    from devstack.config import Ports
    from devstack.processes import stop

    ports = Ports()
    for svc in (chroma.SERVICE, *sc.services()):
        stop(svc)  # leftovers of an interrupted run (this instance's pid files only)
    try:
        urls = {"chroma_url": chroma.start_chroma(ports.chroma), **sc.start(ports, with_demo=True)}
        yield urls
    finally:
        for svc in (*sc.services(), chroma.SERVICE):
            stop(svc)


@pytest.fixture(scope="session")
def full_stack(stack: dict, sidecars: dict[str, str]) -> dict:
    """The deployed stack with everything it talks to running."""
    return {**stack, **sidecars}
