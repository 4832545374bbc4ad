"""Configuration: impossible settings and missing models fail at start with a clear message; a production
embedding model placed in the local hub cache loads through the same code path as the packaged one."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from devstack import model_host as mh
from devstack.processes import Service, stop

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_EMBEDDINGS = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"


def start_server(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(ROOT),
           "MODEL_HOST_PORT": "1", **settings}  # a start that got past the checks could not bind port 1
    return subprocess.run([str(mh.install.venv_python(mh.VENV)), "-m", "model_host"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    mh.ensure_installed()


@pytest.mark.parametrize("settings,expected", [
    ({"QUANTIZATION": "4bit", "USE_GPU": "false"}, "QUANTIZATION=4bit uses bitsandbytes, which needs a CUDA GPU"),
    ({"USE_GPU": "true"}, "USE_GPU=true but no CUDA GPU is visible"),
    ({"EMBEDDING_MODEL": "/nonexistent/embedder"}, "EMBEDDING_MODEL=/nonexistent/embedder: no sentence-transformers"),
    ({"EMBEDDING_MODEL": PRODUCTION_EMBEDDINGS}, "is not in the local Hugging Face cache"),
    ({"LLM_MODEL": "stabilityai/japanese-stablelm-instruct-alpha-7b-v2"}, "is not in the local Hugging Face cache"),
    ({"LLM_MODEL": "/nonexistent/model.gguf"}, "LLM_MODEL=/nonexistent/model.gguf: no such GGUF file"),
    ({"MODEL_HOST_EMBEDDING_BACKEND": "tensorrt"},
     "MODEL_HOST_EMBEDDING_BACKEND='tensorrt' is not one of auto, torch, onnx-int8"),
    ({"MODEL_HOST_CHAT_QUEUE": "many"}, "MODEL_HOST_CHAT_QUEUE='many' is not an integer"),
])
def test_impossible_settings_fail_at_start_with_a_clear_message(tmp_path, settings, expected):
    proc = start_server(tmp_path, **settings)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "model host cannot start" in proc.stderr and expected in proc.stderr, proc.stderr[-2000:]


def test_production_model_id_loads_from_the_local_hub_cache(tmp_path, health):
    hf_home = tmp_path / "hf"
    python = str(mh.install.venv_python(mh.VENV))
    tokenizer_dir = mh.install.MODELS_DIR / "multilingual-e5-small"
    subprocess.run([python, str(Path(__file__).with_name("make_tiny_hub_model.py")), str(hf_home),
                    str(tokenizer_dir)], check=True, capture_output=True, cwd=ROOT)
    service = Service("model-host-test-hub")
    stop(service)
    port = _free_port()
    mh.start(port, service=service, env={"EMBEDDING_MODEL": PRODUCTION_EMBEDDINGS, "HF_HOME": str(hf_home)})
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            info = client.get("/health").json()
            assert info["embedding_model"] == PRODUCTION_EMBEDDINGS
            assert info["embedding_dimension"] == 32 != health["embedding_dimension"]
            r = client.post("/v1/embeddings", json={"input": ["hello", "こんにちは"], "model": PRODUCTION_EMBEDDINGS})
            assert r.status_code == 200, r.text
            vectors = [d["embedding"] for d in r.json()["data"]]
            assert [len(v) for v in vectors] == [32, 32]
            assert abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-4
    finally:
        stop(service)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
