"""Routing accuracy on the labelled requests (tests/data/intent_requests.py, 150+ in en/ja/vi) with the real
router: patterns, exemplar similarity from the model host's embeddings, and its constrained LLM."""
from __future__ import annotations

import pytest

from bench.intent import evaluate, router_for

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
