"""Finding the stack and calling its API; every failure becomes a `CliError` with a message and exit code."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

# Exit codes a shell user can branch on.
OK, FAILED, USAGE, UNREACHABLE, NOT_FOUND = 0, 1, 2, 3, 4


class CliError(Exception):
    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    api_url: str
    api_key: str
    stack: dict[str, Any]


def find_stack_file(start: Path | None = None) -> Path | None:
    """`.state/stack.json` in the working directory or the nearest parent that has one."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / ".state" / "stack.json"
        if candidate.is_file():
            return candidate
    return None


def resolve_target(api_url: str | None, api_key: str | None, stack_file: Path | None) -> Target:
    """Flags win, then TEAMLENS_API_URL / TEAMLENS_API_KEY, then the stack file `make up` wrote."""
    api_url = api_url or os.environ.get("TEAMLENS_API_URL")
    api_key = api_key or os.environ.get("TEAMLENS_API_KEY")
    stack: dict[str, Any] = {}
    path = stack_file or (Path(os.environ["TEAMLENS_STACK_FILE"]) if os.environ.get("TEAMLENS_STACK_FILE") else None)
    path = path or (find_stack_file() if not (api_url and api_key) else None)
    if path is not None:
        try:
            stack = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise CliError(f"cannot read the stack file {path}: {exc}", UNREACHABLE) from None
    api_url, api_key = api_url or stack.get("api_url"), api_key or stack.get("api_key")
    if not api_url or not api_key:
        raise CliError("no teamlens stack found: run `make up` here, or pass --api-url and --api-key "
                       "(or set TEAMLENS_API_URL and TEAMLENS_API_KEY)", UNREACHABLE)
    return Target(api_url=str(api_url).rstrip("/"), api_key=str(api_key), stack=stack)


class Api:
    def __init__(self, target: Target, timeout: float = 60.0) -> None:
        self.target = target
        self.http = httpx.Client(base_url=target.api_url, timeout=timeout,
                                 headers={"x-api-key": target.api_key, "user-agent": "teamlens-cli"})

    def call(self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = (200, 202),
             params: dict | None = None) -> tuple[int, Any]:
        try:
            resp = self.http.request(method, path, json=body, params=params)
        except httpx.TransportError as exc:
            raise CliError(f"cannot reach the teamlens API at {self.target.api_url} ({type(exc).__name__}): "
                           "is the stack up? (`make status`, `make up`)", UNREACHABLE) from None
        try:
            payload = resp.json()
        except ValueError:
            payload = {"message": resp.text[:500]}
        if resp.status_code in ok:
            return resp.status_code, payload
        raise CliError(error_message(resp.status_code, payload), code_for(resp.status_code))


def code_for(status: int) -> int:
    return NOT_FOUND if status == 404 else USAGE if status in (400, 409, 422) else UNREACHABLE if status == 403 else FAILED


def error_message(status: int, payload: Any) -> str:
    if isinstance(payload, dict):
        if status == 422 and isinstance(payload.get("detail"), list):
            fields = ", ".join(".".join(str(p) for p in d.get("loc", []) if p != "body") or "request"
                               for d in payload["detail"])
            return f"invalid request ({fields}): {payload.get('message') or 'check the arguments'}"
        if status == 403:
            return "the API refused the key (403): check --api-key / TEAMLENS_API_KEY"
        message = payload.get("message") or json.dumps(payload)[:300]
    else:
        message = str(payload)[:300]
    retry = " (try again in a moment)" if status in (503, 429) else ""
    return f"{message}{retry}"
