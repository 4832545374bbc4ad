"""Bad input gets a 4xx with an OpenAI-style error body naming the field (and the limit, where one was hit)."""
from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"
EMB = "/v1/embeddings"
HELLO = [{"role": "user", "content": "hello"}]


def error_of(r: httpx.Response, *statuses: int) -> dict:
    assert r.status_code in statuses, (r.status_code, r.text)
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert err["message"]
    return err


@pytest.mark.parametrize("path", [EMB, CHAT])
def test_malformed_json(http, path):
    err = error_of(http.post(path, content=b'{"input": ["a",', headers={"content-type": "application/json"}), 400)
    assert "Malformed JSON" in err["message"] and err["code"] == "invalid_json"


@pytest.mark.parametrize("path", [EMB, CHAT])
def test_body_must_be_an_object(http, path):
    error_of(http.post(path, json=["not", "an", "object"]), 400, 422)


def test_unknown_embedding_model(http, health):
    err = error_of(http.post(EMB, json={"input": "x", "model": "text-embedding-3-large"}), 400, 404)
    assert err["param"] == "model" and err["code"] == "model_not_found"
    assert health["embedding_model"] in err["message"]


def test_unknown_chat_model(http):
    err = error_of(http.post(CHAT, json={"messages": HELLO, "model": "gpt-4o"}), 400, 404)
    assert err["param"] == "model" and err["code"] == "model_not_found"


@pytest.mark.parametrize("payload,param", [
    ({"input": ""}, "input"),
    ({"input": []}, "input"),
    ({"input": ["ok", "   "]}, "input[1]"),
    ({}, "input"),
])
def test_empty_embedding_input(http, payload, param):
    err = error_of(http.post(EMB, json=payload), 400, 422)
    assert err["param"] == param


@pytest.mark.parametrize("payload,param", [
    ({"input": 42}, "input"),
    ({"input": ["fine", 7]}, "input[1]"),
    ({"input": [{"text": "x"}]}, "input[0]"),
    ({"input": [[101, 102]]}, "input[0]"),  # token arrays (what tiktoken-based clients send)
])
def test_non_string_embedding_input(http, payload, param):
    err = error_of(http.post(EMB, json=payload), 400, 422)
    assert err["param"] == param


def test_too_many_inputs_names_the_limit(http):
    err = error_of(http.post(EMB, json={"input": ["x"] * 2049}), 400, 413)
    assert err["code"] == "too_many_inputs"
    assert "2048" in err["message"] and "MODEL_HOST_MAX_EMBEDDING_INPUTS" in err["message"]


def test_too_long_input_names_the_limit(http):
    err = error_of(http.post(EMB, json={"input": "word " * 7000}), 400, 413)
    assert err["code"] == "input_too_long" and "MODEL_HOST_MAX_INPUT_CHARS" in err["message"]


def test_request_body_over_the_size_limit(http):
    err = error_of(http.post(EMB, json={"input": ["y" * 30_000] * 300}), 413)
    assert "MODEL_HOST_MAX_REQUEST_BYTES" in err["message"]


def test_wrong_dimensions_are_refused(http, health):
    err = error_of(http.post(EMB, json={"input": "x", "dimensions": health["embedding_dimension"] + 1}), 400)
    assert err["param"] == "dimensions"


@pytest.mark.parametrize("payload,param", [
    ({"messages": []}, "messages"),
    ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role"),
    ({"messages": HELLO, "temperature": "hot"}, "temperature"),
    ({"messages": HELLO, "temperature": 5}, "temperature"),
    ({"messages": HELLO, "max_tokens": 0}, "max_tokens"),
])
def test_invalid_chat_fields_are_named(http, payload, param):
    err = error_of(http.post(CHAT, json=payload), 400, 422)
    assert err["param"] == param


def test_max_tokens_over_the_limit(http):
    err = error_of(http.post(CHAT, json={"messages": HELLO, "max_tokens": 100_000}), 400)
    assert err["code"] == "max_tokens_too_large" and "MODEL_HOST_MAX_COMPLETION_TOKENS" in err["message"]


def test_prompt_longer_than_the_context(http, health):
    long_text = "status update " * (health["context_tokens"])
    err = error_of(http.post(CHAT, json={"messages": [{"role": "user", "content": long_text}]}), 400)
    assert err["code"] == "context_length_exceeded" and str(health["context_tokens"]) in err["message"]


@pytest.mark.parametrize("payload,param", [
    ({"n": 2}, "n"),
    ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}, "tools"),
    ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ({"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}, "response_format.json_schema.schema"),
    ({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "no-such-type"}}}},
     "response_format.json_schema.schema"),
    ({"continue_final_message": True}, "messages"),  # the last message is the user's: nothing to continue
    ({"continue_final_message": True, "response_format": {"type": "json_object"},
      "messages": HELLO + [{"role": "assistant", "content": "{"}]}, "continue_final_message"),
])
def test_unsupported_chat_options_are_refused(http, payload, param):
    err = error_of(http.post(CHAT, json={"messages": HELLO} | payload), 400)
    assert err["param"] == param


def test_unknown_route_is_an_openai_style_404(http):
    err = error_of(http.get("/v1/engines"), 404)
    assert err["code"] == "not_found"


def test_models_list_and_lookup(http, health):
    ids = [m["id"] for m in http.get("/v1/models").json()["data"]]
    # The index model, when on, comes last (tests/model_host/test_index_embedder.py).
    assert ids == [health["embedding_model"], health["chat_model"]] + [health[k] for k in ("index_embedding_model",)
                                                                       if k in health]
    assert http.get(f"/v1/models/{health['chat_model']}").json()["id"] == health["chat_model"]
    error_of(http.get("/v1/models/nope"), 404)
