"""Who gets a chat slot: people's questions before batch work.

The engine decodes `slots` sequences at once (continuous batching). A request says its class in the
`X-Teamlens-Priority` header: `interactive` (a person is waiting: /ask, chat) or `batch` (summaries,
reviews, reports). Batch work holds at most all-but-one slot, so a question always finds one free or
waits only behind other questions; when a slot frees, waiting questions are served first. Batch requests
wait for a slot rather than fail (their callers have minutes, not seconds); only a flood far beyond what
the engine could ever catch up with is refused. Questions wait in a short queue and beyond it get 503
with Retry-After at once, so /ask can fall back to its evidence-only answer instead of hanging.
"""
from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Literal

Priority = Literal["interactive", "batch"]
PRIORITIES: tuple[Priority, ...] = ("interactive", "batch")
HEADER = "X-Teamlens-Priority"


class QueueFull(Exception):
    def __init__(self, priority: Priority, retry_after: int, waiting: int, limit: int) -> None:
        super().__init__(f"{waiting} {priority} chat requests are already waiting (limit {limit})")
        self.priority = priority
        self.retry_after = retry_after
        self.waiting = waiting
        self.limit = limit


def parse_priority(value: str | None) -> Priority:
    """The header's value; absent means interactive (an OpenAI client that knows nothing of classes is
    most likely a person at a chat window). Raises ValueError naming the allowed values."""
    if value is None or not value.strip():
        return "interactive"
    v = value.strip().lower()
    if v not in PRIORITIES:
        raise ValueError(f"{HEADER}: {value!r} is not one of {', '.join(PRIORITIES)}")
    return v  # type: ignore[return-value]


def batch_limit(slots: int) -> int:
    """Batch work may hold all slots but one (all of them when there is only one)."""
    return max(1, slots - 1)


def retry_after_seconds(avg_job_s: float, waiting: int, slots: int) -> int:
    """Roughly when a slot frees for the next request: the jobs ahead, `slots` at a time, at the recent pace."""
    return max(1, min(120, math.ceil(avg_job_s * (waiting // max(1, slots) + 1))))


class PriorityGate:
    def __init__(self, slots: int, *, max_interactive_waiting: int, max_batch_waiting: int = 256) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots = slots
        self.batch_slots = batch_limit(slots)
        self.limits: dict[Priority, int] = {"interactive": max_interactive_waiting, "batch": max_batch_waiting}
        self.running: dict[Priority, int] = {"interactive": 0, "batch": 0}
        self.rejected: dict[Priority, int] = {"interactive": 0, "batch": 0}
        self._waiters: dict[Priority, deque[asyncio.Future[None]]] = {"interactive": deque(), "batch": deque()}
        self._avg_job_s = 2.0  # until measured

    def waiting(self, priority: Priority | None = None) -> int:
        if priority is None:
            return sum(len(q) for q in self._waiters.values())
        return len(self._waiters[priority])

    @property
    def in_flight(self) -> int:
        return self.running["interactive"] + self.running["batch"]

    def _may_start(self, priority: Priority) -> bool:
        if self.in_flight >= self.slots:
            return False
        if priority == "batch":
            # Questions first: a batch request never takes the slot a waiting question could have.
            return self.running["batch"] < self.batch_slots and not self._waiters["interactive"]
        return True

    def _admit_waiters(self) -> None:
        for priority in PRIORITIES:  # interactive first
            queue = self._waiters[priority]
            while queue and self._may_start(priority):
                fut = queue.popleft()
                if fut.done():  # its request was cancelled while waiting
                    continue
                self.running[priority] += 1
                fut.set_result(None)

    def _starts_now(self, priority: Priority) -> bool:
        return self._may_start(priority) and not self._waiters[priority]

    def check_admission(self, priority: Priority) -> None:
        """Raise QueueFull if a request of this class would be refused now (it can neither start nor wait)."""
        if not self._starts_now(priority) and len(self._waiters[priority]) >= self.limits[priority]:
            self.rejected[priority] += 1
            raise QueueFull(priority, retry_after_seconds(self._avg_job_s, self.waiting(), self.slots),
                            len(self._waiters[priority]), self.limits[priority])

    @contextlib.asynccontextmanager
    async def slot(self, priority: Priority) -> AsyncIterator[None]:
        """Hold a slot for the body of the `async with`; raises QueueFull when the class's queue is full."""
        self.check_admission(priority)
        if self._starts_now(priority):
            self.running[priority] += 1
        else:
            queue = self._waiters[priority]
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            queue.append(fut)
            try:
                await fut
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():  # admitted just as it was cancelled: give it back
                    self._release(priority, None)
                else:
                    fut.cancel()
                    with contextlib.suppress(ValueError):
                        queue.remove(fut)
                    self._admit_waiters()  # a batch request may have been held back by this question
                raise
        started = time.monotonic()
        try:
            yield
        finally:
            self._release(priority, time.monotonic() - started)

    def _release(self, priority: Priority, elapsed: float | None) -> None:
        self.running[priority] -= 1
        if elapsed is not None and elapsed > 0.05:  # jobs cut short say nothing about the pace
            self._avg_job_s = 0.7 * self._avg_job_s + 0.3 * elapsed
        self._admit_waiters()

    def snapshot(self) -> dict[str, int]:
        return {"slots": self.slots, "batch_slots": self.batch_slots,
                "interactive_running": self.running["interactive"], "batch_running": self.running["batch"],
                "interactive_waiting": self.waiting("interactive"), "batch_waiting": self.waiting("batch"),
                "interactive_rejected": self.rejected["interactive"], "batch_rejected": self.rejected["batch"]}
