"""The ChromaDB server (its own venv; data under the instance state folder)."""
from __future__ import annotations

import os
from pathlib import Path

from devstack import paths
from devstack.processes import Service, http_ok, start, stop, wait_until
from devstack.venvs import base_python, ensure_venv, fingerprint

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


def index_models(url: str) -> set[str]:
    """The embedding models the stack's collections were built with (each collection records its own)."""
    from urllib.parse import urlparse

    import chromadb

    u = urlparse(url)
    client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000)
    return {str((c.metadata or {}).get("embedding_model")) for c in client.list_collections()
            if c.name.startswith("teamlens_") and (c.metadata or {}).get("embedding_model")}
