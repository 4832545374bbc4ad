"""Request bodies checked before any route sees them: size, encoding, nesting and JSON syntax.

A body that is too large, not UTF-8, nested beyond reason or not JSON at all is the client's mistake and
gets a 4xx that names the body. Left to the routes, such bodies surfaced as 500s (a decode error, a
RecursionError deep inside the JSON parser) or, behind a webhook's authentication, as API Gateway 502s.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

MAX_BODY_BYTES = 256 * 1024  # far above any request teamlens takes (a question, report arguments, a hook)
MAX_DEPTH = 32  # the deepest body a route takes nests 4 levels (a GitLab hook)

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class BadBody(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest, without recursion (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json_body(raw: bytes, *, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    if len(raw) > max_bytes:
        raise BadBody(413, f"the request body is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(400, f"the request body is not UTF-8 (byte {exc.start} cannot be decoded)") from None
    if nesting_depth(text) > max_depth:
        raise BadBody(400, f"the request body nests deeper than {max_depth} levels")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadBody(400, f"the request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
                      ) from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # Valid JSON ("\ud800" escapes) but not text: it would fail later, in a store or a model prompt.
        raise BadBody(400, "the request body holds an unpaired UTF-16 surrogate escape, which is not text") from None
    return value


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return body.encode("utf-8", "surrogatepass")  # undecodable bytes stay undecodable
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise BadBody(400, "the request body is marked base64 but is not valid base64") from None


def header(event: dict[str, Any], name: str) -> str:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return value or ""
    return ""


def json_body_error(event: dict[str, Any]) -> dict[str, Any] | None:
    """An API Gateway proxy response for a bad JSON body on a POST/PUT/PATCH, or None when it is fine."""
    if event.get("httpMethod") not in ("POST", "PUT", "PATCH"):
        return None
    try:
        raw = raw_body(event)
        if not raw.strip():
            return None  # the route's model decides whether an empty body is allowed
        content_type = header(event, "content-type").split(";")[0].strip().lower()
        if content_type and content_type != "application/json":
            raise BadBody(415, f"the request body must be JSON (Content-Type: application/json), not {content_type}")
        if not isinstance(parse_json_body(raw), dict):
            raise BadBody(400, "the request body must be a JSON object")
    except BadBody as exc:
        return error_response(exc.status, str(exc))
    return None


def error_response(status: int, message: str, **fields: Any) -> dict[str, Any]:
    """An API Gateway proxy response with a JSON error body, for answers given outside a resolver."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": message, **fields})}
