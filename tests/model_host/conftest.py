"""One real model host per test session: installed and started through devstack.model_host, with the
packaged models (no fakes), on its own port and under its own service name, so a stack started with
`make up` keeps running untouched. Stopped by its recorded pid at the end."""
from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from devstack import model_host as mh
from devstack.processes import Service, port_in_use, stop

SERVICE = Service("model-host-test")
PREFERRED_PORT = 8092
# Two slots (batch may hold one) and a question queue of one, so the load tests can fill them.
TEST_ENV = {"MODEL_HOST_CHAT_QUEUE": "1", "MODEL_HOST_CHAT_SLOTS": "2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def model_host() -> Iterator[str]:
    """Base URL (…/v1) of a running model host with both models loaded."""
    mh.ensure_installed()
    stop(SERVICE)  # a leftover from an interrupted run (ours, by pid file)
    port = PREFERRED_PORT if not port_in_use(PREFERRED_PORT) else free_port()
    mh.start(port, service=SERVICE, env=TEST_ENV)
    try:
        yield mh.base_url(port)
    finally:
        stop(SERVICE)


@pytest.fixture(scope="session")
def root_url(model_host: str) -> str:
    return model_host.removesuffix("/v1")


@pytest.fixture(scope="session")
def http(model_host: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=model_host.removesuffix("/v1"), timeout=120) as client:
        yield client


@pytest.fixture(scope="session")
def health(http: httpx.Client) -> dict:
    return http.get("/health").json()


@pytest.fixture
def read_metrics(http: httpx.Client) -> Callable[[], dict]:
    return lambda: http.get("/metrics").json()


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def wait_for() -> Callable[..., bool]:
    """wait_for(predicate, timeout=30): poll until true; returns whether it became true."""
    return _wait_for
