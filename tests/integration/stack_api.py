"""Calling the deployed API and the simulators' control endpoints from tests."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any


class Api:
    def __init__(self, stack: dict) -> None:
        self.url, self.key = stack["api_url"], stack["api_key"]

    def call(self, method: str, path: str, body: Any = None, *, headers: dict | None = None,
             timeout: float = 60) -> tuple[int, dict]:
        status, payload, _ = self.request(method, path, body, headers=headers, timeout=timeout)
        return status, payload

    def request(self, method: str, path: str, body: Any = None, *, headers: dict | None = None,
                timeout: float = 60) -> tuple[int, dict, dict]:
        """(status, JSON body, response headers); bytes in `body` are sent as they are."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"x-api-key": self.key, "content-type": "application/json",
                                              **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read() or b"{}"), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}"), dict(err.headers)

    def ingest(self, sources: list[str] | None = None, timeout: float = 420) -> dict:
        status, body = self.call("POST", "/ingest", {"sources": sources} if sources else {})
        assert status == 202, body
        return self.poll(f"/ingest/runs/{body['run_id']}", timeout)

    def poll(self, path: str, timeout: float, interval: float = 1) -> dict:
        """GET `path` until its `status` is no longer RUNNING; the last body."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, body = self.call("GET", path)
            assert status == 200, body
            if body["status"] != "RUNNING":
                return body
            time.sleep(interval)
        raise AssertionError(f"{path} still running after {timeout}s")


def sim(base: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(f"{base}{path}", data=json.dumps(body or {}).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"{}")


def by_source(run: dict) -> dict[str, dict]:
    """An ingestion run's per-source statuses, by source name."""
    return {s["source"]: s for s in run["sources"]}


def chroma_collection(url: str, source: str):
    """A source's collection on the test ChromaDB server, read directly (what the index really holds)."""
    import chromadb

    host, port = url.removeprefix("http://").split(":")
    return chromadb.HttpClient(host=host, port=int(port)).get_collection(f"teamlens_{source}")


def chroma_hits(url: str, source: str, text: str) -> int:
    """How many chunks of a source contain `text`."""
    return len(chroma_collection(url, source).get(where_document={"$contains": text}, include=[])["ids"])
