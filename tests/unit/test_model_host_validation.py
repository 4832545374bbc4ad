"""model_host.validation: request checks name the field and, where one was hit, the limit."""
from __future__ import annotations

import pytest

from model_host.errors import APIError, validation_message
from model_host.schemas import ChatRequest
from model_host.validation import check_chat_request, completion_budget, embedding_texts, stop_sequences

LIMITS = {"max_inputs": 3, "max_chars": 10}


def rejects(fn, *args, **kwargs) -> APIError:
    with pytest.raises(APIError) as info:
        fn(*args, **kwargs)
    assert 400 <= info.value.status < 500
    return info.value


def test_string_and_list_inputs_become_a_list():
    assert embedding_texts("hi", **LIMITS) == ["hi"]
    assert embedding_texts(["a", "b"], **LIMITS) == ["a", "b"]


@pytest.mark.parametrize("raw,param,code", [
    (None, "input", "missing_input"),
    ("", "input", "empty_input"),
    ("   ", "input", "empty_input"),
    ([], "input", "empty_input"),
    (["a", ""], "input[1]", "empty_input"),
    (5, "input", "invalid_input"),
    ({"text": "a"}, "input", "invalid_input"),
    (["a", None], "input[1]", "invalid_input"),
    ([[1, 2, 3]], "input[0]", "invalid_input"),
])
def test_bad_inputs_name_the_item(raw, param, code):
    err = rejects(embedding_texts, raw, **LIMITS)
    assert (err.param, err.code) == (param, code)


def test_token_arrays_get_a_hint_for_langchain_users():
    err = rejects(embedding_texts, [[101, 102]], **LIMITS)
    assert "check_embedding_ctx_length=False" in err.message


def test_too_many_inputs_names_the_limit_and_setting():
    err = rejects(embedding_texts, ["a"] * 4, **LIMITS)
    assert err.code == "too_many_inputs" and "limit is 3" in err.message
    assert "MODEL_HOST_MAX_EMBEDDING_INPUTS" in err.message


def test_too_long_input_names_the_limit_and_setting():
    err = rejects(embedding_texts, ["ok", "x" * 11], **LIMITS)
    assert err.param == "input[1]" and "limit is 10" in err.message and "MODEL_HOST_MAX_INPUT_CHARS" in err.message


def chat(**fields) -> ChatRequest:
    return ChatRequest.model_validate({"messages": [{"role": "user", "content": "hi"}], **fields})


def test_completion_budget_defaults_to_the_room_left():
    assert completion_budget(chat(), prompt_tokens=100, context_tokens=4096, cap=2048) == 2048
    assert completion_budget(chat(), prompt_tokens=3000, context_tokens=4096, cap=2048) == 1096
    assert completion_budget(chat(max_tokens=50), prompt_tokens=10, context_tokens=4096, cap=2048) == 50
    assert completion_budget(chat(max_completion_tokens=7, max_tokens=50), prompt_tokens=10,
                             context_tokens=4096, cap=2048) == 7


def test_completion_budget_limits():
    err = rejects(completion_budget, chat(max_tokens=5000), prompt_tokens=10, context_tokens=4096, cap=2048)
    assert err.code == "max_tokens_too_large" and "MODEL_HOST_MAX_COMPLETION_TOKENS" in err.message
    err = rejects(completion_budget, chat(max_tokens=200), prompt_tokens=4000, context_tokens=4096, cap=2048)
    assert err.code == "context_length_exceeded" and "4096" in err.message and "4000" in err.message
    err = rejects(completion_budget, chat(), prompt_tokens=4096, context_tokens=4096, cap=2048)
    assert err.code == "context_length_exceeded"


@pytest.mark.parametrize("fields,param", [
    ({"n": 3}, "n"),
    ({"tools": [{"type": "function"}]}, "tools"),
    ({"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}, "response_format.json_schema.schema"),
    ({"stop": ["1", "2", "3", "4", "5"]}, "stop"),
    ({"stop": [""]}, "stop"),
])
def test_unsupported_chat_options(fields, param):
    assert rejects(check_chat_request, chat(**fields)).param == param


def test_stop_sequences():
    assert stop_sequences(None) == [] and stop_sequences("x") == ["x"] and stop_sequences(["a", "b"]) == ["a", "b"]


def test_validation_messages_name_the_field():
    msg, param = validation_message([{"type": "float_parsing", "loc": ("body", "temperature"),
                                      "msg": "Input should be a valid number"}])
    assert param == "temperature" and msg.startswith("temperature: ")
    msg, param = validation_message([{"type": "json_invalid", "loc": ("body", 12), "msg": "JSON decode error",
                                      "ctx": {"error": "Expecting value"}}])
    assert param is None and msg == "Malformed JSON body: Expecting value"
