"""A minimal client of the deployed API for the launcher (stdlib only)."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from devstack.processes import DevstackError


def call(info: dict, method: str, path: str, body: Any = None, timeout: float = 60) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{info['api_url']}{path}", data=data, method=method,
                                 headers={"x-api-key": str(info["api_key"]), "content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def ingest_and_wait(info: dict, timeout: float = 600, *, path: str = "/ingest") -> dict:
    """Start an ingestion (or, with path="/reindex", a rebuild of the index from the raw data) and wait."""
    status, body = call(info, "POST", path, {})
    if status != 202:
        raise DevstackError(f"POST {path} answered {status}: {body}")
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, run = call(info, "GET", f"/ingest/runs/{body['run_id']}")
        if status == 200 and run["status"] != "RUNNING":
            return run
        time.sleep(2)
    raise DevstackError(f"ingestion run {body['run_id']} still running after {timeout:.0f}s")
