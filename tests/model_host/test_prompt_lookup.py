"""Prompt-lookup decoding (MODEL_HOST_DRAFT_TOKENS, on by default) on the packaged GGUF chat model: the same
greedy answers as plain decoding, in fewer forward passes, and counted in GET /metrics."""
from __future__ import annotations

import pytest

from devstack import model_host as mh
from model_host.packaged import QWEN_CODER_05B
from tests.model_host.venv_report import run_report

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report() -> dict:
    return run_report("run_prompt_lookup.py", str(QWEN_CODER_05B.output_path(mh.install.MODELS_DIR)))


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
    before = read_metrics()["chat"]
    r = http.post("/v1/chat/completions", json={
        "messages": [{"role": "user", "content": f"Repeat this sentence exactly, nothing else:\n{fact}"}],
        "max_tokens": 40, "temperature": 0})
    assert r.status_code == 200, r.text
    after = read_metrics()["chat"]
    # Deltas: the session's host has served other generations (JSON grammars, short answers) before this one.
    passes = after["forward_passes"] - before["forward_passes"]
    tokens = after["counted_completion_tokens"] - before["counted_completion_tokens"]
    assert tokens == r.json()["usage"]["completion_tokens"] >= 15, r.json()
    assert tokens > 1.5 * passes, (tokens, passes, r.json()["choices"][0]["message"]["content"])
    assert after["tokens_per_forward_pass"] > 1.0
