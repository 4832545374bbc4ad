"""The index model (EmbeddingGemma-300m, int8 on CPU) through POST /v1/embeddings, selected by `model`: a
Japanese question against an English and a Vietnamese sentence, one of them the answer."""
from __future__ import annotations

import math

import httpx
import pytest

pytestmark = pytest.mark.integration

INDEX_MODEL = "embeddinggemma-300m"
QUESTION_JA = "リリースはいつまで延期されましたか？"  # "Until when was the release postponed?"
ANSWER = {"en": "We decided to postpone the release until next week.",
          "vi": "Chúng tôi quyết định hoãn phát hành đến tuần sau."}
UNRELATED = {"en": "The login page is very slow on mobile phones.",
             "vi": "Trang đăng nhập rất chậm trên điện thoại di động."}


@pytest.fixture(scope="module")
def index_embedder(health) -> str:
    if health.get("index_embedding_model") != INDEX_MODEL:
        pytest.skip(f"the host does not serve {INDEX_MODEL} (INDEX_EMBEDDING_MODEL is set to something else or none)")
    return INDEX_MODEL


def embed(http: httpx.Client, texts: list[str], **extra) -> tuple[list[list[float]], dict]:
    r = http.post("/v1/embeddings", json={"input": texts, **extra})
    assert r.status_code == 200, r.text
    body = r.json()
    return [d["embedding"] for d in sorted(body["data"], key=lambda d: d["index"])], body


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b))


@pytest.mark.parametrize("answer_lang,unrelated_lang", [("en", "vi"), ("vi", "en")])
def test_the_translated_answer_scores_clearly_above_an_unrelated_sentence(http, index_embedder, answer_lang,
                                                                          unrelated_lang):
    [q], body = embed(http, [QUESTION_JA], model=index_embedder, input_type="query")
    assert body["model"] == index_embedder
    (answer, unrelated), _ = embed(http, [ANSWER[answer_lang], UNRELATED[unrelated_lang]], model=index_embedder,
                                   input_type="document")
    a, u = cos(q, answer), cos(q, unrelated)
    # Measured (int8, 2 cores): answer ~0.45-0.65, unrelated ~0.05-0.15. e5-small's margins are ~0.1.
    assert a - u > 0.2, (a, u)


def test_vectors_and_prompts(http, index_embedder, health):
    text = ["The release moves to next week."]
    [query], body = embed(http, text, model=index_embedder, input_type="query")
    [default], _ = embed(http, text, model=index_embedder)
    [passage], _ = embed(http, text, model=index_embedder, input_type="passage")
    [document], _ = embed(http, text, model=index_embedder, input_type="document")
    assert len(query) == 768 != health["embedding_dimension"]  # not e5's vectors
    assert math.isclose(math.sqrt(sum(x * x for x in query)), 1.0, abs_tol=1e-4)
    assert cos(query, default) > 0.9999  # no input_type: a query, as with e5
    assert cos(passage, document) > 0.9999  # both the "document" prompt
    assert cos(query, document) < 0.999  # a different prompt
    assert body["usage"]["prompt_tokens"] > 6  # the prompt's tokens count too


def test_without_model_or_with_e5s_name_nothing_changes(http, health, index_embedder):
    [absent], body = embed(http, ["same text"])
    [named], _ = embed(http, ["same text"], model=health["embedding_model"])
    assert body["model"] == health["embedding_model"] and len(absent) == health["embedding_dimension"]
    assert cos(absent, named) > 0.9999


def test_an_unknown_model_names_both_served_ones(http, health, index_embedder):
    r = http.post("/v1/embeddings", json={"input": "x", "model": "embeddinggemma-3b"})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == "model" and err["code"] == "model_not_found"
    assert health["embedding_model"] in err["message"] and index_embedder in err["message"]
    # The chat model is not an embedding model either.
    assert http.post("/v1/embeddings", json={"input": "x", "model": health["chat_model"]}).status_code == 400


def test_listed_and_reported(http, health, index_embedder):
    cards = http.get("/v1/models").json()["data"]
    assert [c["id"] for c in cards] == [health["embedding_model"], health["chat_model"], index_embedder]
    # Clients that take the first embedding card (teamlens.model_host_client.served_model) still get e5.
    assert next(c["id"] for c in cards if c["type"] == "embedding") == health["embedding_model"]
    assert cards[2]["role"] == "index" and cards[2]["dimension"] == 768
    assert http.get(f"/v1/models/{index_embedder}").json()["id"] == index_embedder
    m = http.get("/metrics").json()
    assert m["models"]["index_embedding"] == index_embedder and m["models"]["embedding"] == health["embedding_model"]
    assert m["index_embeddings"]["texts"] > 0 and "embedding_waiting" in m["queue"]
