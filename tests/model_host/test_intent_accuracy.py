"""Routing accuracy on the labelled requests with the real router: patterns, exemplar similarity from the
model host's embeddings, and its constrained LLM. The dev split (tests/data/intent_requests.py) is what the
router was fitted to; the test split (intent_requests_test.py) was not, and its floor guards against a
change that only helps the dev split."""
from __future__ import annotations

import pytest

from bench.intent import evaluate, load_split, router_for

pytestmark = pytest.mark.integration


def test_intent_and_argument_accuracy(model_host):
    result = evaluate(router_for(model_host.removesuffix("/v1")))
    print({k: v for k, v in result.items() if k != "errors"}, *result["errors"], sep="\n")
    assert result["n"] >= 150
    assert result["accuracy"]["all"] >= 0.95, result["errors"]
    for lang in ("en", "ja", "vi"):
        assert result["accuracy"][lang] >= 0.9, (lang, result["errors"])
    assert result["argument_accuracy"] >= 0.9, result["errors"]
    assert result["without_llm"] >= 0.8  # the LLM is the slow path: most requests must not need it


def test_the_split_nobody_tuned_on_stays_above_its_floor(model_host):
    now, requests = load_split("test")
    result = evaluate(router_for(model_host.removesuffix("/v1")), requests, now)
    print({k: v for k, v in result.items() if k != "errors"}, *result["errors"], sep="\n")
    assert result["n"] >= 200
    # Measured 0.86 (2026-12-05); the target is 0.95 per language.
    assert result["accuracy"]["all"] >= 0.8, result["errors"]
