"""The ONNX Runtime int8 backend (the default on CPUs with VNNI/AMX) against the PyTorch float32 one, on the
packaged multilingual-e5-small: same dimension, prompts and token counts, vectors at cosine >= 0.98, the
same nearest neighbours, and an export that is made once and reused."""
from __future__ import annotations

import pytest

from devstack import model_host as mh
from model_host.settings import DEFAULT_EMBEDDING_MODEL
from tests.model_host.venv_report import run_report

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    return run_report("run_embedding_backends.py", str(mh.install.MODELS_DIR / DEFAULT_EMBEDDING_MODEL),
                      str(tmp_path_factory.mktemp("models")))


def test_int8_backend_has_the_models_shape_and_is_cached(report):
    assert report["dimension"][0] == report["dimension"][1] and report["dtype"] == "int8"
    assert report["cached"] and report["reused"]


@pytest.mark.parametrize("prompt", ["query", "passage"])
def test_int8_vectors_agree_with_float32(report, prompt):
    r = report[prompt]
    assert r["min_cos"] >= 0.98, r
    assert all(abs(n - 1.0) < 1e-4 for n in r["norms"])
    assert r["same_counts"] and r["same_neighbours"]


def test_a_bfloat16_model_loading_beside_another_never_changes_torchs_default_dtype():
    """The model host loads e5 and the index model on two threads at start; transformers used to set the
    process-wide default dtype to bfloat16 while loading one, so the other's forward passes failed (and the
    host did not start)."""
    r = run_report("run_concurrent_load.py", str(mh.install.MODELS_DIR / DEFAULT_EMBEDDING_MODEL))
    assert r["default_dtypes_seen"] == ["torch.float32"] and not r["errors"], r
    assert r["bf16_dtype"] == "bfloat16" and r["parameter_dtype"] == "torch.bfloat16"
    assert r["cosine"] > 0.99, r
