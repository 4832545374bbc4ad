"""Backlog API v2 over httpx (there is no maintained Python client).

Auth is the `apiKey` query parameter, so URLs carry the secret: nothing here logs or raises a URL.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
from pydantic import SecretStr

from teamlens.retry import Backoff, should_retry, sleep_for
from teamlens.sources import SourceError

# httpx logs every request URL at INFO; those URLs hold the API key.
logging.getLogger("httpx").setLevel(logging.WARNING)

PAGE = 100  # Backlog's maximum `count`


class BacklogClient:
    def __init__(self, base_url: str, api_key: SecretStr, *, backoff: Backoff = Backoff(),
                 timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self._key = api_key
        self._backoff = backoff
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/api/v2", timeout=timeout,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                data: dict[str, Any] | None = None) -> Any:
        query = {**(params or {}), "apiKey": self._key.get_secret_value()}
        for attempt in range(1, self._backoff.attempts + 1):
            try:
                resp = self._http.request(method, path, params=query, data=data)
            except httpx.TransportError as exc:
                if attempt == self._backoff.attempts:
                    raise SourceError("backlog", f"{method} {path}: {type(exc).__name__}") from None
                sleep_for(self._backoff, attempt, None)
                continue
            if should_retry(resp.status_code) and attempt < self._backoff.attempts:
                sleep_for(self._backoff, attempt, resp.headers)
                continue
            if resp.status_code >= 400:
                raise SourceError("backlog", f"{method} {path}: HTTP {resp.status_code} {_error_text(resp)}",
                                  resp.status_code)
            return resp.json()
        raise AssertionError("unreachable")

    def projects(self) -> list[dict]:
        return self.request("GET", "/projects")

    def issues(self, project_ids: list[int], updated_since: date | None = None) -> Iterator[dict]:
        """All issues updated on or after `updated_since` (Backlog takes dates only), oldest first."""
        params: dict[str, Any] = {"projectId[]": project_ids, "sort": "updated", "order": "asc", "count": PAGE}
        if updated_since:
            params["updatedSince"] = updated_since.isoformat()
        offset = 0
        while True:
            page = self.request("GET", "/issues", params={**params, "offset": offset})
            yield from page
            if len(page) < PAGE:
                return
            offset += PAGE

    def comments(self, issue_id_or_key: int | str) -> Iterator[dict]:
        min_id = 0
        while True:
            page = self.request("GET", f"/issues/{issue_id_or_key}/comments",
                                params={"minId": min_id + 1, "count": PAGE, "order": "asc"} if min_id
                                else {"count": PAGE, "order": "asc"})
            yield from page
            if len(page) < PAGE:
                return
            min_id = max(c["id"] for c in page)


def _error_text(resp: httpx.Response) -> str:
    """Backlog's error body: {"errors": [{"message", "code", "moreInfo"}]}."""
    try:
        errors = resp.json().get("errors") or []
        return "; ".join(f"{e.get('message')} (code {e.get('code')})" for e in errors) or resp.reason_phrase
    except (ValueError, AttributeError):
        return resp.reason_phrase
