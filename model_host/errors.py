"""OpenAI-style errors: every failure answers {"error": {"message", "type", "param", "code"}}."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class APIError(Exception):
    """An error to return to the client as-is."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.type, self.param, self.code)


def error_body(message: str, type: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def bad_request(message: str, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(400, message, param=param, code=code)


def unknown_model(requested: str, served: list[str], param: str = "model") -> APIError:
    return APIError(
        400, f"The model {requested!r} is not served here; available: {', '.join(served)} (GET /v1/models)",
        param=param, code="model_not_found",
    )


def overloaded(message: str, retry_after: int) -> APIError:
    return APIError(503, message, type="server_overloaded", code="queue_full",
                    headers={"Retry-After": str(retry_after)})


def not_ready(retry_after: int = 2) -> APIError:
    return APIError(503, "The models are still loading; retry shortly (GET /health turns 200 when ready)",
                    type="server_not_ready", code="models_loading", headers={"Retry-After": str(retry_after)})


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str | None]:
    """Turn pydantic/FastAPI validation errors into one message and the offending field's dotted path."""
    if not errors:
        return "Invalid request body", None
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    param = ".".join(loc) or None
    if first.get("type") == "json_invalid":
        ctx = first.get("ctx") or {}
        return f"Malformed JSON body: {ctx.get('error', first.get('msg', 'cannot parse'))}", None
    if first.get("type") == "model_attributes_type" or (not loc and first.get("type") == "dict_type"):
        return "The request body must be a JSON object", None
    msg = first.get("msg", "invalid value")
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return (f"{param}: {msg}{more}" if param else f"{msg}{more}"), param
