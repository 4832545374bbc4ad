"""model_host.chat_queue: bounded admission, Retry-After estimate, cancellation before start."""
from __future__ import annotations

import asyncio
import threading

import pytest

from model_host.chat_queue import Cancelled, ChatScheduler, QueueFull, admit, retry_after_seconds


def test_admission_rule():
    assert admit(waiting=0, running=0, max_waiting=0)
    assert not admit(waiting=0, running=1, max_waiting=0)
    assert admit(waiting=0, running=1, max_waiting=1)
    assert not admit(waiting=1, running=1, max_waiting=1)


def test_retry_after_grows_with_the_queue_and_is_bounded():
    assert retry_after_seconds(0.01, 0) == 1
    assert retry_after_seconds(2.0, 0) == 2 and retry_after_seconds(2.0, 2) == 6
    assert retry_after_seconds(100.0, 10) == 120


def test_full_queue_is_refused_and_cancelled_jobs_are_skipped():
    async def scenario():
        sched = ChatScheduler(max_waiting=1)
        release = threading.Event()
        ran: list[str] = []

        def job(name):
            def fn(cancel):
                ran.append(name)
                release.wait(5)
                return name
            return fn

        first = sched.submit(job("first"))
        while sched.running == 0:
            await asyncio.sleep(0.01)
        second = sched.submit(job("second"))
        with pytest.raises(QueueFull) as full:
            sched.submit(job("third"))
        assert full.value.retry_after >= 1 and full.value.limit == 1
        second.abort()  # its client went away while it waited
        release.set()
        assert await first.result == "first"
        with pytest.raises(Cancelled):
            await second.result
        sched.shutdown()
        return ran, sched.rejected

    ran, rejected = asyncio.run(scenario())
    assert ran == ["first"] and rejected == 1
