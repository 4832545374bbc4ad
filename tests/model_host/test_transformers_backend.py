"""The transformers backend (the GPU path for the seed's StableLM) exercised on CPU with the packaged
Qwen GGUF, loaded through transformers' own GGUF loader: chat template, streaming, stop sequences,
max_tokens and cancellation. 4-bit bitsandbytes loading needs a CUDA GPU and is not run here."""
from __future__ import annotations

import pytest

from devstack import model_host as mh
from model_host.packaged import QWEN_CODER_05B
from tests.model_host.venv_report import run_report

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report() -> dict:
    return run_report("run_transformers_backend.py", str(mh.install.MODELS_DIR), QWEN_CODER_05B.output)


def test_prompt_uses_the_models_chat_template(report):
    assert report["prompt_tail"].endswith("<|im_start|>assistant\n")


def test_stop_sequence_and_streaming(report):
    stopped = report["stopped"]
    assert stopped["finish"] == "stop"
    assert "5" in stopped["text"] and "6" not in stopped["text"]
    assert stopped["streamed"] == stopped["text"]


def test_max_tokens_gives_finish_reason_length(report):
    assert report["limited"] == {"finish": "length", "tokens": 3}


def test_cancel_stops_the_generation(report):
    assert report["cancelled_after_s"] is not None and report["cancelled_after_s"] < 10


def test_stablelm_prompt_follows_its_model_card(report):
    assert report["stablelm_prompt"].startswith("以下は、タスクを説明する指示と")
    assert report["stablelm_prompt"].endswith("\n\n### 指示: \nこんにちは\n\n### 応答: \n")
