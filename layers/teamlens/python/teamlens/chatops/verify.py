"""Request authenticity for webhooks (pure): Slack's v0 signature with its replay window, GitLab's token."""
from __future__ import annotations

import hashlib
import hmac

REPLAY_WINDOW_S = 300  # Slack's recommendation: reject requests older than five minutes


class Unauthorized(Exception):
    """The request is not from who it claims (bad or missing signature or token, or a replay)."""


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify_slack(secret: str | None, headers: dict[str, str], body: bytes, now: float) -> None:
    if not secret:
        raise Unauthorized("Slack signing secret is not configured")
    h = {k.lower(): v for k, v in headers.items()}
    timestamp, signature = h.get("x-slack-request-timestamp", ""), h.get("x-slack-signature", "")
    if not timestamp.isdigit() or not signature:
        raise Unauthorized("missing Slack signature headers")
    if abs(now - int(timestamp)) > REPLAY_WINDOW_S:
        raise Unauthorized("stale Slack request (outside the 5-minute window)")
    if not hmac.compare_digest(slack_signature(secret, timestamp, body), signature):
        raise Unauthorized("bad Slack signature")


def verify_gitlab(token: str | None, headers: dict[str, str]) -> None:
    if not token:
        raise Unauthorized("GitLab webhook token is not configured")
    given = {k.lower(): v for k, v in headers.items()}.get("x-gitlab-token", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Unauthorized("bad GitLab webhook token")
