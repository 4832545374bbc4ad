"""Slack Web API through slack_sdk's WebClient, with its retry handlers for 429 (honouring Retry-After),
5xx and dropped connections. Works against Slack or the local simulator (`base_url`)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from teamlens.sources import SourceError

HISTORY_LIMIT = 200  # Slack recommends <= 200; apps on the 2025+ tier are capped at 15 (server enforces)


def slack_client(base_url: str, token: SecretStr, *, max_retries: int = 5, timeout: int = 30) -> WebClient:
    return WebClient(
        token=token.get_secret_value(),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=timeout,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
        ],
    )


class SlackSource:
    def __init__(self, client: WebClient) -> None:
        self.client = client
        self.calls = 0  # API calls made: the budget that the rate-limit tiers count

    def _call(self, method: str, **params: Any) -> dict:
        self.calls += 1
        try:
            return self.client.api_call(method, params=params).data  # type: ignore[return-value]
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown_error") if exc.response is not None else "unknown_error"
            raise SourceError("slack", f"{method}: {error}", exc.response.status_code) from None

    def _paged(self, method: str, key: str, **params: Any) -> Iterator[dict]:
        cursor = None
        while True:
            data = self._call(method, **params, **({"cursor": cursor} if cursor else {}))
            yield from data.get(key, [])
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def auth_test(self) -> dict:
        return self._call("auth.test")

    def channels(self) -> list[dict]:
        return list(self._paged("conversations.list", "channels", types="public_channel",
                                exclude_archived="true", limit=200))

    def users(self) -> list[dict]:
        return list(self._paged("users.list", "members", limit=200))

    def history(self, channel: str, oldest: str | None = None, latest: str | None = None) -> Iterator[dict]:
        """Top-level messages of a channel after `oldest` (exclusive), newest first as Slack returns them."""
        params: dict[str, Any] = {"channel": channel, "limit": HISTORY_LIMIT}
        if oldest:
            params["oldest"] = oldest
        if latest:
            params["latest"] = latest
        return self._paged("conversations.history", "messages", **params)

    def replies(self, channel: str, thread_ts: str) -> list[dict]:
        """A whole thread, parent first."""
        return list(self._paged("conversations.replies", "messages", channel=channel, ts=thread_ts,
                                limit=HISTORY_LIMIT))

    def permalink(self, channel: str, ts: str) -> str:
        return self._call("chat.getPermalink", channel=channel, message_ts=ts)["permalink"]
