"""POST /v1/embeddings against the real packaged model (multilingual-e5-small)."""
from __future__ import annotations

import base64
import json
import math
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from model_host.runtime import SHORT_PASSAGE_CHARS

pytestmark = pytest.mark.integration

DATA = json.loads((Path(__file__).resolve().parents[2] / "model_host" / "data" / "translation_triples.json")
                  .read_text(encoding="utf-8"))


def embed(http: httpx.Client, texts, **extra) -> list[list[float]]:
    r = http.post("/v1/embeddings", json={"input": texts, **extra})
    assert r.status_code == 200, r.text
    body = r.json()
    return [d["embedding"] for d in sorted(body["data"], key=lambda d: d["index"])]


LONG_TAIL = ("The release train leaves on Friday; every merge request needs a green pipeline, a reviewer "
             "from another team and a changelog line. Hotfixes go through the same checks, and the "
             "on-call engineer signs off on the rollout after the canary has run for an hour. A failed "
             "canary rolls back on its own and pages the owner of the change.")
assert len(LONG_TAIL) > SHORT_PASSAGE_CHARS


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b))


def test_vectors_have_the_models_dimension_and_unit_norm(http, health):
    r = http.post("/v1/embeddings", json={"input": ["first text", "二番目の文", "câu thứ ba"]})
    body = r.json()
    assert r.status_code == 200 and body["object"] == "list"
    assert body["model"] == health["embedding_model"]
    assert [d["index"] for d in body["data"]] == [0, 1, 2]
    assert body["usage"]["prompt_tokens"] > 3 and body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"]
    for d in body["data"]:
        assert len(d["embedding"]) == health["embedding_dimension"]  # read from the model, not assumed
        assert math.isclose(math.sqrt(sum(x * x for x in d["embedding"])), 1.0, abs_tol=1e-4)


def test_single_string_input_returns_one_vector(http, health):
    [v] = embed(http, "just one")
    assert len(v) == health["embedding_dimension"]


def test_base64_encoding_matches_floats(http):
    [floats] = embed(http, "same text both ways")
    r = http.post("/v1/embeddings", json={"input": "same text both ways", "encoding_format": "base64"})
    raw = base64.b64decode(r.json()["data"][0]["embedding"])
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert len(decoded) == len(floats)
    assert max(abs(a - b) for a, b in zip(decoded, floats)) < 1e-6


@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_translation_pairs_are_closer_than_unrelated_sentences(http, lang):
    triples = DATA["triples"]
    en = embed(http, [t["en"] for t in triples])
    other = embed(http, [t[lang] for t in triples])
    unrelated = embed(http, DATA["unrelated_en"])
    for i, (e, o) in enumerate(zip(en, other)):
        pair = cos(e, o)
        assert pair > max(cos(o, u) for u in unrelated), f"{lang} #{i}: translation not nearer than unrelated"
    # Retrieval across languages: each sentence finds its own translation among all 20 English ones.
    hits = sum(max(range(len(en)), key=lambda j: cos(o, en[j])) == i for i, o in enumerate(other))
    assert hits >= 18, f"{lang}->en recall@1 {hits}/{len(en)}"


def test_input_type_selects_the_models_passage_prompt(http):
    [as_query] = embed(http, "rotate the API keys")
    [as_passage] = embed(http, "rotate the API keys", input_type="passage")
    [default] = embed(http, "rotate the API keys")
    assert cos(as_query, default) > 0.9999
    assert cos(as_query, as_passage) < 0.999  # a different prefix was applied


def test_concurrent_requests_are_micro_batched_with_correct_rows(http, read_metrics):
    # Longer than the passages the host caches (SHORT_PASSAGE_CHARS), so every request is encoded in a batch.
    texts = [f"message {i} about deploy number {i * 7}. " + LONG_TAIL for i in range(24)]
    alone = {t: embed(http, t)[0] for t in texts[:3]}
    before = read_metrics()["embeddings"]
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda t: embed(http, t)[0], texts))
    after = read_metrics()["embeddings"]
    for t in texts[:3]:  # each request got its own rows back
        assert cos(alone[t], results[texts.index(t)]) > 0.9999
    batches = after["batches"] - before["batches"]
    assert after["texts"] - before["texts"] == len(texts)
    assert batches < len(texts), "no two concurrent requests shared a batch"


def test_short_passages_and_queries_are_served_from_the_cache_and_long_passages_encoded(http, read_metrics):
    short, long = "deploy checklist for the booking service", "deploy checklist: " + LONG_TAIL
    query = "which deploy checklist applies? " + LONG_TAIL  # a query is cached whatever its length
    requests = [(short, {}), (long, {}), (query, {"input_type": "query"})]
    first = [embed(http, t, **extra)[0] for t, extra in requests]
    before = read_metrics()["embeddings"]["texts"]
    again = [embed(http, t, **extra)[0] for t, extra in requests]
    assert read_metrics()["embeddings"]["texts"] - before == 1  # only the long passage went to the encoder
    assert all(cos(a, b) > 0.9999 for a, b in zip(first, again))
