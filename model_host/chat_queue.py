"""A bounded queue in front of the chat model: one generation at a time, a few waiting, the rest refused.

A refused request gets 503 with Retry-After (estimated from recent generation times) at once, so a
client never hangs on an overloaded host. Each job carries a cancel event that the generation loop
polls between tokens: a client that disconnects stops its generation, or it is skipped if still waiting.
"""
from __future__ import annotations

import asyncio
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class QueueFull(Exception):
    def __init__(self, retry_after: int, waiting: int, limit: int) -> None:
        super().__init__(f"{waiting} chat requests are already waiting (limit {limit})")
        self.retry_after = retry_after
        self.waiting = waiting
        self.limit = limit


class Cancelled(Exception):
    """The client went away before or during its generation."""


def admit(waiting: int, running: int, max_waiting: int) -> bool:
    """A request may start now (nothing running) or wait while fewer than `max_waiting` wait."""
    return (running == 0 and waiting == 0) or waiting < max_waiting


def retry_after_seconds(avg_job_s: float, waiting: int) -> int:
    """Roughly when a slot frees up: the jobs ahead (waiting + the running one) at the recent pace."""
    return max(1, min(120, math.ceil(avg_job_s * (waiting + 1))))


@dataclass
class Ticket(Generic[T]):
    cancel: threading.Event
    result: "asyncio.Future[T]"

    def abort(self) -> None:
        self.cancel.set()


class ChatScheduler:
    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat")
        self._lock = threading.Lock()
        self._waiting = 0
        self._running = 0
        self._avg_job_s = 2.0  # until measured
        self.rejected = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def running(self) -> int:
        return self._running

    def submit(self, fn: Callable[[threading.Event], T]) -> Ticket[T]:
        """Queue `fn(cancel_event)`; raises QueueFull when the queue is at its limit."""
        cancel = threading.Event()
        with self._lock:
            if not admit(self._waiting, self._running, self.max_waiting):
                self.rejected += 1
                raise QueueFull(retry_after_seconds(self._avg_job_s, self._waiting), self._waiting,
                                self.max_waiting)
            self._waiting += 1
        cf = self._executor.submit(self._job, fn, cancel)
        return Ticket(cancel, asyncio.wrap_future(cf))

    def _job(self, fn: Callable[[threading.Event], T], cancel: threading.Event) -> T:
        with self._lock:
            self._waiting -= 1
            self._running += 1
        started = time.monotonic()
        try:
            if cancel.is_set():
                raise Cancelled()
            return fn(cancel)
        finally:
            elapsed = time.monotonic() - started
            with self._lock:
                self._running -= 1
                if elapsed > 0.05:  # skipped jobs say nothing about the pace
                    self._avg_job_s = 0.7 * self._avg_job_s + 0.3 * elapsed

    def run_now(self, fn: Callable[[threading.Event], T]) -> T:
        """Run `fn` on the chat thread and wait (at load, before any request). The engine only ever runs on
        that one thread: neither engine is safe to call from two threads, and a llama.cpp built with OpenMP
        that first ran on another thread decoded every later generation at 17 instead of 26 tokens/s."""
        return self._executor.submit(fn, threading.Event()).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
