"""Backoff for calls to dependencies (source APIs, the model host): 429 and 5xx are retried, honouring
`Retry-After`; anything else is raised at once so callers report it instead of swallowing it."""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Backoff:
    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    max_total: float = 120.0  # never wait longer than this in one call chain

    def delay(self, attempt: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        after = retry_after_seconds(headers or {})
        if after is not None:
            return min(after, self.cap)
        return min(self.cap, self.base * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def should_retry(status: int) -> bool:
    return status in RETRY_STATUSES


def sleep_for(backoff: Backoff, attempt: int, headers: Mapping[str, str] | None,
              sleep: Callable[[float], None] = time.sleep) -> float:
    wait = backoff.delay(attempt, headers)
    sleep(wait)
    return wait
