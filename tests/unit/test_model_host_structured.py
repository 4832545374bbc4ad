"""model_host.structured and openai_format: JSON constraints from response_format; wire format."""
from __future__ import annotations

import base64
import struct

import numpy as np
import pytest

from model_host import openai_format as fmt
from model_host.errors import APIError
from model_host.schemas import ResponseFormat
from model_host.structured import OutputConstraint, constraint_for, output_problem

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"], "additionalProperties": False}


def test_constraint_from_response_format():
    assert constraint_for(None).mode == "text" and not constraint_for(None).is_json
    assert constraint_for(ResponseFormat(type="json_object")).mode == "json_object"
    rf = ResponseFormat.model_validate({"type": "json_schema", "json_schema": {"name": "n", "schema": SCHEMA}})
    c = constraint_for(rf)
    assert c.mode == "json_schema" and c.schema == SCHEMA and c.name == "n"


def test_invalid_schema_is_a_400_naming_the_field():
    rf = ResponseFormat.model_validate({"type": "json_schema", "json_schema": {"schema": {"type": 12}}})
    with pytest.raises(APIError) as info:
        constraint_for(rf)
    assert info.value.status == 400 and info.value.param == "response_format.json_schema.schema"


@pytest.mark.parametrize("text,problem", [
    ('{"n": 3}', None),
    ('{"n": "3"}', "n: '3' is not of type 'integer'"),
    ('{"n": 3, "x": 1}', "(root): Additional properties"),
    ('{"n": ', "not valid JSON"),
])
def test_output_problems(text, problem):
    found = output_problem(text, OutputConstraint("json_schema", SCHEMA))
    assert found == problem if problem is None else found.startswith(problem)


def test_json_object_mode_and_text_mode():
    assert output_problem("[1, 2]", OutputConstraint("json_object")) == "not a JSON object"
    assert output_problem("anything", OutputConstraint("text")) is None


def test_embedding_list_float_and_base64():
    v = np.array([[0.6, 0.8], [1.0, 0.0]], dtype=np.float32)
    floats = fmt.embedding_list(v, model="m", prompt_tokens=5, encoding_format="float")
    assert floats["data"][1] == {"object": "embedding", "index": 1, "embedding": [1.0, 0.0]}
    assert floats["usage"] == {"prompt_tokens": 5, "total_tokens": 5} and floats["model"] == "m"
    b64 = fmt.embedding_list(v, model="m", prompt_tokens=5, encoding_format="base64")
    raw = base64.b64decode(b64["data"][0]["embedding"])
    assert struct.unpack("<2f", raw) == pytest.approx((0.6, 0.8))


def test_chat_shapes_and_sse():
    body = fmt.chat_completion(id="c1", model="m", text="hi", finish_reason="stop", prompt_tokens=3,
                               completion_tokens=1)
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "hi", "refusal": None}
    assert body["usage"]["total_tokens"] == 4
    chunk = fmt.chat_chunk(id="c1", model="m", created=1, usage_=fmt.usage(1, 2), with_choice=False)
    assert chunk["choices"] == [] and chunk["usage"]["completion_tokens"] == 2
    assert fmt.sse("[DONE]") == "data: [DONE]\n\n"
    assert fmt.sse({"a": "日本"}) == 'data: {"a": "日本"}\n\n'
