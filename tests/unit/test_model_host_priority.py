"""model_host.priority: questions before batch work, batch never holds the last slot, a full question queue
is refused at once, a cancelled waiter leaves the queue."""
from __future__ import annotations

import asyncio

import pytest

from model_host.priority import PriorityGate, QueueFull, batch_limit, parse_priority, retry_after_seconds


def test_priority_header_values():
    assert parse_priority(None) == parse_priority("") == "interactive"
    assert parse_priority(" Batch ") == "batch"
    with pytest.raises(ValueError, match="interactive, batch"):
        parse_priority("urgent")


def test_batch_keeps_one_slot_free_unless_there_is_only_one():
    assert [batch_limit(n) for n in (1, 2, 4)] == [1, 1, 3]


def test_retry_after_grows_with_the_queue_and_is_bounded():
    assert retry_after_seconds(2.0, 0, 4) == 2
    assert retry_after_seconds(2.0, 8, 4) == 6
    assert retry_after_seconds(500.0, 50, 1) == 120


async def hold(gate: PriorityGate, priority, release: asyncio.Event, started: list) -> str:
    async with gate.slot(priority):
        started.append(priority)
        await release.wait()
    return priority


def run(coro):
    return asyncio.run(coro)


def test_questions_overtake_waiting_batch_work_and_batch_never_takes_the_last_slot():
    async def scenario():
        gate = PriorityGate(3, max_interactive_waiting=4)
        release, started = asyncio.Event(), []
        tasks = [asyncio.create_task(hold(gate, "batch", release, started)) for _ in range(4)]
        await asyncio.sleep(0.01)
        assert gate.running == {"interactive": 0, "batch": 2} and gate.waiting("batch") == 2
        q = asyncio.create_task(hold(gate, "interactive", release, started))
        await asyncio.sleep(0.01)
        assert gate.running["interactive"] == 1, "a question found the free slot at once"
        q2 = asyncio.create_task(hold(gate, "interactive", release, started))
        await asyncio.sleep(0.01)
        assert gate.waiting("interactive") == 1
        release.set()
        await asyncio.gather(*tasks, q, q2)
        # The waiting question started before the two waiting batch requests.
        assert started == ["batch", "batch", "interactive", "interactive", "batch", "batch"]
        assert gate.in_flight == 0 and gate.waiting() == 0
    run(scenario())


def test_a_full_question_queue_is_refused_but_batch_waits():
    async def scenario():
        gate = PriorityGate(1, max_interactive_waiting=1, max_batch_waiting=100)
        release, started = asyncio.Event(), []
        running = asyncio.create_task(hold(gate, "interactive", release, started))
        waiting = asyncio.create_task(hold(gate, "interactive", release, started))
        await asyncio.sleep(0.01)
        with pytest.raises(QueueFull) as full:
            async with gate.slot("interactive"):
                pass
        assert full.value.priority == "interactive" and full.value.retry_after >= 1
        assert gate.rejected["interactive"] == 1
        batch = [asyncio.create_task(hold(gate, "batch", release, started)) for _ in range(10)]
        await asyncio.sleep(0.01)
        assert gate.waiting("batch") == 10 and gate.rejected["batch"] == 0
        release.set()
        await asyncio.gather(running, waiting, *batch)
        assert started[:2] == ["interactive", "interactive"] and len(started) == 12
    run(scenario())


def test_a_cancelled_waiter_leaves_the_queue_and_lets_batch_work_in():
    async def scenario():
        gate = PriorityGate(2, max_interactive_waiting=2)
        release, started = asyncio.Event(), []
        a = asyncio.create_task(hold(gate, "interactive", release, started))
        b = asyncio.create_task(hold(gate, "batch", release, started))
        await asyncio.sleep(0.01)
        q = asyncio.create_task(hold(gate, "interactive", release, started))  # waits: both slots taken
        batch = asyncio.create_task(hold(gate, "batch", release, started))  # waits behind the question
        await asyncio.sleep(0.01)
        assert gate.waiting("interactive") == 1 and gate.waiting("batch") == 1
        q.cancel()
        await asyncio.sleep(0.01)
        assert gate.waiting("interactive") == 0
        a.cancel()  # a running request cancelled: its slot is given back
        await asyncio.sleep(0.01)
        assert gate.running == {"interactive": 0, "batch": 1}, "batch may not take the last slot"
        release.set()
        await asyncio.gather(b, batch)
        assert gate.in_flight == 0
    run(scenario())
