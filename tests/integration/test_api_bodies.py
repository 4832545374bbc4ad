"""Malformed request bodies through API Gateway: a 4xx naming the body on every POST route, never a 500;
validation errors in the shape the OpenAPI document declares."""
from __future__ import annotations

import pytest

from tests.integration.stack_api import Api

pytestmark = pytest.mark.integration

POST_ROUTES = ["/ask", "/search", "/ingest", "/reindex", "/summaries", "/reviews", "/reports",
               "/reports/job-that-does-not-exist/confirm"]
BAD_BODIES = {
    "not json": (b"this is not json", 400),
    "utf-16": ('{"question": "hello"}'.encode("utf-16"), 400),
    "latin-1": ('{"question": "café"}'.encode("latin-1"), 400),
    "deep": (b"[" * 5000 + b"]" * 5000, 400),
    "huge": (b'{"question": "' + b"x" * 400_000 + b'"}', 413),
}


@pytest.fixture(scope="module")
def api(stack) -> Api:
    return Api(stack)


@pytest.mark.parametrize("route", POST_ROUTES)
@pytest.mark.parametrize("kind", BAD_BODIES)
def test_bad_bodies_are_4xx_naming_the_body(api, route, kind):
    body, expected = BAD_BODIES[kind]
    status, answer = api.call("POST", route, body)
    assert status == expected, (route, kind, answer)
    assert "request body" in answer["message"]


def test_validation_errors_carry_loc_msg_and_type(api):
    status, answer = api.call("POST", "/ingest", {"sources": ["jira"]})
    assert status == 422, answer
    (error,) = answer["detail"]
    assert error["loc"][:2] == ["body", "sources"] and error["msg"] and error["type"]
    assert "sources" in answer["message"]
    schema = api.call("GET", "/openapi.json")[1]
    required = schema["components"]["schemas"]["ValidationError"]["required"]
    assert set(required) <= set(error)
