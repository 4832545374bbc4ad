"""Fixed-window request counters: how many calls a key may make per window, and when it may call again."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass
class WindowLimiter:
    limits: dict[str, int] = field(default_factory=dict)     # key -> requests per window; absent = unlimited
    window_s: float = 60.0
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def hit(self, key: str, bucket: str | None = None) -> tuple[bool, int, int, int]:
        """Count one request. Returns (allowed, limit, remaining, seconds until the window resets)."""
        limit = self.limits.get(key)
        if limit is None:
            return True, 0, 0, 0
        now = time.monotonic()
        slot = bucket or key
        start, used = self._windows.get(slot, (now, 0))
        if now - start >= self.window_s:
            start, used = now, 0
        reset_in = max(1, math.ceil(self.window_s - (now - start)))
        if used >= limit:
            self._windows[slot] = (start, used)
            return False, limit, 0, reset_in
        self._windows[slot] = (start, used + 1)
        return True, limit, limit - used - 1, reset_in

    def reset(self) -> None:
        self._windows.clear()
