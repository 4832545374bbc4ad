"""JSON output: which constraint a request asks for, and checking what came out."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from model_host.errors import bad_request
from model_host.schemas import ResponseFormat


@dataclass(frozen=True)
class OutputConstraint:
    mode: str  # "text" | "json_object" | "json_schema"
    schema: dict[str, Any] | None = None
    name: str | None = None

    @property
    def is_json(self) -> bool:
        return self.mode != "text"


def constraint_for(rf: ResponseFormat | None) -> OutputConstraint:
    if rf is None or rf.type == "text":
        return OutputConstraint("text")
    if rf.type == "json_object":
        return OutputConstraint("json_object")
    spec = rf.json_schema
    assert spec is not None  # checked by validation.check_chat_request
    schema = spec.schema_
    check_schema(schema)
    return OutputConstraint("json_schema", schema, spec.name)


def check_schema(schema: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise bad_request(f"response_format.json_schema.schema is not a valid JSON schema: {exc.message}",
                          "response_format.json_schema.schema", "invalid_schema") from None


def output_problem(text: str, constraint: OutputConstraint) -> str | None:
    """None when `text` satisfies the constraint, else what is wrong with it."""
    if not constraint.is_json:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at {exc.pos})"
    if constraint.schema is None:
        return None if isinstance(value, dict) else "not a JSON object"
    from jsonschema.exceptions import best_match

    err = best_match(_validator(json.dumps(constraint.schema, sort_keys=True)).iter_errors(value))
    return None if err is None else f"{'/'.join(map(str, err.absolute_path)) or '(root)'}: {err.message}"


@lru_cache(maxsize=64)
def _validator(schema_json: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_json))
