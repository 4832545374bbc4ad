"""Session fixture: the three simulators on free ports, over a demo workspace generated into a temp dir.

Processes are started here (not through the dev-stack launcher) so tests never touch a running dev
stack's pid files or ports. Each test gets the simulators reset: faults off, posted data cleared.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
TOKENS = {"gitlab": "glpat-teamlens-local", "slack": "xoxb-teamlens-local", "backlog": "teamlens-local-backlog-key"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: needs running services (here: the source simulators)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Simulators:
    urls: dict[str, str]
    data_dir: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    @property
    def ground_truth(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "ground_truth.json").read_text())

    def admin(self, service: str, method: str, path: str, body: dict | None = None) -> Any:
        resp = httpx.request(method, f"{self.urls[service]}{path}", json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def faults(self, service: str, mode: str, **options: Any) -> None:
        self.admin(service, "POST", "/_sim/faults", {"mode": mode, **options})

    def reset(self) -> None:
        for service in self.urls:
            self.admin(service, "POST", "/_sim/reset")

    def posted(self, service: str) -> list[dict[str, Any]]:
        return self.admin(service, "GET", "/_sim/posted")["posted"]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_sim/health", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def simulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulators]:
    sys.path.insert(0, str(ROOT))
    from demo.generate import ensure_workspace

    data_dir = ensure_workspace(tmp_path_factory.mktemp("demo"))
    ports = {name: free_port() for name in TOKENS}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {**os.environ, "PYTHONPATH": str(ROOT), **{f"SIM_{n.upper()}_URL": u for n, u in urls.items()},
           **{f"SIM_{n.upper()}_TOKEN": t for n, t in TOKENS.items()}}
    env.pop("SIM_SLACK_RATE_LIMITS", None)
    sims = Simulators(urls, data_dir)
    logs = tmp_path_factory.mktemp("sim-logs")
    try:
        for name, port in ports.items():
            log = logs / f"{name}.log"
            sims.logs[name] = log
            sims.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "simulators", "--service", name, "--port", str(port), "--data", str(data_dir)],
                cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        for name, url in urls.items():
            while not _healthy(url):
                if sims.procs[name].poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"{name} simulator did not start:\n{sims.logs[name].read_text()[-2000:]}")
                time.sleep(0.1)
        yield sims
    finally:
        for proc in sims.procs.values():     # only the processes this fixture started, by pid
            proc.terminate()
        for proc in sims.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def sims(simulators: Simulators) -> Simulators:
    """The session's simulators, reset before the test."""
    simulators.reset()
    return simulators
