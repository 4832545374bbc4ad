"""Prompt-lookup decoding (MODEL_HOST_DRAFT_TOKENS, on by default) on the packaged GGUF chat model: the same
greedy answers as plain decoding, in fewer forward passes, and counted in GET /metrics."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from devstack import model_host as mh
from model_host.packaged import QWEN_CODER_05B

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report() -> dict:
    mh.ensure_installed()
    script = Path(__file__).with_name("run_prompt_lookup.py")
    gguf = QWEN_CODER_05B.output_path(mh.install.MODELS_DIR)
    proc = subprocess.run([str(mh.install.venv_python(mh.VENV)), str(script), str(gguf)], check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True, text=True,
                          timeout=400)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_lookup_gives_the_plain_greedy_answers(report):
    assert [r["text"] for r in report["lookup"]] == [r["text"] for r in report["plain"]]
    assert all(r["passes"] is None for r in report["plain"])  # plain llama.cpp does not count them


def test_answers_copied_from_the_prompt_take_fewer_passes_than_tokens(report):
    copied = [r for r in report["lookup"] if r["tokens"] >= 20]
    assert copied, report
    # One pass for the prompt, then one per token without drafts; the facts restated verbatim go in runs.
    assert sum(r["passes"] for r in copied) * 2 <= sum(r["tokens"] for r in copied), copied


def test_metrics_count_tokens_per_forward_pass(http, read_metrics):
    fact = "The v2.4 release moves from Friday 13/11 to Friday 27/11, decided by Tanaka Hiroshi."
    r = http.post("/v1/chat/completions", json={
        "messages": [{"role": "user", "content": f"Repeat this sentence exactly, nothing else:\n{fact}"}],
        "max_tokens": 40, "temperature": 0})
    assert r.status_code == 200, r.text
    assert read_metrics()["chat"]["tokens_per_forward_pass"] > 1.5
