"""The ChromaDB server (its own venv; data under the instance state folder)."""
from __future__ import annotations

import os
from pathlib import Path

from devstack import paths
from devstack.processes import Service, http_ok, start, stop, wait_until
from devstack.venvs import ensure_venv, fingerprint, base_python

REQUIREMENTS = Path(__file__).with_name("chroma-requirements.txt")
VENV = paths.VENVS / "chroma"
SERVICE = Service("chroma")


def ensure_installed() -> None:
    ensure_venv(VENV, base_python(), ["-r", str(REQUIREMENTS)],
                fingerprint_value=fingerprint(REQUIREMENTS), what="ChromaDB")


def heartbeat_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api/v2/heartbeat"


def start_chroma(port: int) -> str:
    data = paths.STATE / "chroma"
    data.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_TELEMETRY_IMPL": "none"}
    start(SERVICE, [str(VENV / "bin" / "chroma"), "run", "--path", str(data), "--host", "127.0.0.1",
                    "--port", str(port)], env=env, port=port)
    wait_until(SERVICE, lambda: http_ok(heartbeat_url(port)), timeout=60, what="GET /api/v2/heartbeat")
    return f"http://127.0.0.1:{port}"


def stop_chroma() -> bool:
    return stop(SERVICE)
