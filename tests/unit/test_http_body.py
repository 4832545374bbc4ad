"""Bad request bodies are named and sized before any route sees them (pure: API Gateway proxy events)."""
from __future__ import annotations

import base64
import json

import pytest

from teamlens.chatops.events import mention_to_ask, review_request
from teamlens.http_body import BadBody, json_body_error, nesting_depth, parse_json_body


def event(body: str | bytes | None, *, method: str = "POST", content_type: str | None = "application/json") -> dict:
    encoded = isinstance(body, bytes)
    return {"httpMethod": method, "headers": {"Content-Type": content_type} if content_type else {},
            "body": base64.b64encode(body).decode() if encoded else body, "isBase64Encoded": encoded}


def rejected(evt: dict) -> tuple[int, str]:
    response = json_body_error(evt)
    assert response is not None, "the body should have been rejected"
    return response["statusCode"], json.loads(response["body"])["message"]


def test_json_objects_and_empty_bodies_pass_to_the_route():
    assert json_body_error(event('{"question": "いつ？ [1] {x}"}')) is None
    assert json_body_error(event(None)) is None and json_body_error(event("  ")) is None
    assert json_body_error(event("not json", method="GET")) is None  # only bodies of writes are read
    assert json_body_error(event('{"a": 1}', content_type="application/json; charset=utf-8")) is None
    assert json_body_error(event('{"a": 1}', content_type=None)) is None


@pytest.mark.parametrize("body, status, words", [
    ("not json", 400, "not valid JSON"),
    (b"\xff\xfe{\x00}\x00", 400, "not UTF-8"),  # UTF-16 with its byte order mark
    ('{"q": "caf\udce9"}', 400, "not UTF-8"),  # a latin-1 byte passed through as a surrogate escape
    ("[" * 5000 + "]" * 5000, 400, "deeper than 32"),
    ('{"q": "\\ud800"}', 400, "unpaired UTF-16 surrogate"),
    ('{"q": "' + "x" * 300_000 + '"}', 413, "limit is"),
])
def test_bad_bodies_are_4xx_naming_the_body(body, status, words):
    got, message = rejected(event(body))
    assert got == status and words in message and "request body" in message


def test_a_form_body_is_415_naming_json():
    status, message = rejected(event("a=1", content_type="application/x-www-form-urlencoded"))
    assert status == 415 and "application/json" in message


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert nesting_depth('{"a": "[[[[{{{{", "b": [1, {"c": "]]]"}]}') == 3
    assert parse_json_body(b'{"text": "' + b"[" * 100 + b'"}') == {"text": "[" * 100}
    with pytest.raises(BadBody):
        parse_json_body(b'{"a": ' * 40 + b"1" + b"}" * 40)


def test_authenticated_hooks_with_malformed_fields_are_bad_bodies_not_crashes():
    for evt in ({"type": "app_mention", "text": "<@U1> hi"}, {"type": "app_mention", "text": "hi", "channel": 5,
                                                             "ts": "1"}, ["not", "an", "object"]):
        with pytest.raises(BadBody):
            mention_to_ask(evt)
    base = {"object_kind": "merge_request", "project": {"path_with_namespace": "a/b"},
            "object_attributes": {"action": "open", "iid": 3, "last_commit": {"id": "abc"}}}
    assert review_request(base) == {"project": "a/b", "iid": 3, "head": "abc", "oldrev": None}
    for broken in ({**base, "project": "a/b"}, {**base, "object_attributes": {"action": "open", "iid": "three"}}):
        with pytest.raises(BadBody):
            review_request(broken)
    assert review_request({**base, "object_attributes": {"action": ["open"], "iid": 3}}) is None  # not an action
    assert review_request(["a list"]) is None


def test_a_body_that_is_not_an_object_is_400():
    status, message = rejected(event("[{}, []]"))
    assert status == 400 and "JSON object" in message
    assert rejected(event('"text"'))[0] == 400


def test_report_periods_are_dates_not_numbers():
    from pydantic import ValidationError

    from teamlens.agents.args import ReportArgs

    for bad in ({"until": -43169077}, {"since": 0}, {"since": True}):
        with pytest.raises(ValidationError, match="ISO 8601"):
            ReportArgs(**bad)
    assert ReportArgs(since="2026-11-20", until="2026-11-27").since.day == 20
