"""model_host.batching: concurrent requests share encoder calls and each gets its own rows back."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from model_host.batching import MicroBatcher, Pending, group_by_key, split_rows


def test_split_rows_cuts_per_request():
    m = np.arange(12).reshape(6, 2)
    parts = split_rows(m, [1, 3, 2])
    assert [p.shape[0] for p in parts] == [1, 3, 2]
    assert parts[1].tolist() == [[2, 3], [4, 5], [6, 7]]


def test_split_rows_handles_tuples_and_checks_counts():
    vectors, counts = np.zeros((3, 4)), np.array([5, 6, 7])
    parts = split_rows((vectors, counts), [2, 1])
    assert parts[1][1].tolist() == [7] and parts[0][0].shape == (2, 4)
    with pytest.raises(ValueError):
        split_rows(np.zeros((2, 4)), [1, 2])


def test_group_by_key_keeps_arrival_order():
    items = [Pending(["a"], "q", None), Pending(["b"], "p", None), Pending(["c"], "q", None)]
    groups = group_by_key(items)
    assert [k for k, _ in groups] == ["q", "p"]
    assert [p.texts for p in groups[0][1]] == [["a"], ["c"]]


def fake_encoder(calls: list[tuple[int, object]]):
    def encode(texts: list[str], key: object) -> np.ndarray:
        calls.append((len(texts), key))
        return np.array([[len(t), hash(key) % 7] for t in texts], dtype=np.float32)
    return encode


def test_concurrent_requests_share_one_batch_and_get_their_rows():
    calls: list[tuple[int, object]] = []
    stats: list[tuple[int, int, float]] = []

    async def scenario():
        batcher = MicroBatcher(fake_encoder(calls), ThreadPoolExecutor(1), max_texts=100, wait_s=0.05,
                               on_batch=lambda r, t, s: stats.append((r, t, s)))
        results = await asyncio.gather(*(batcher.embed([f"{'x' * i}-{j}" for j in range(i)], "q")
                                         for i in range(1, 6)))
        await batcher.stop()
        return results

    results = asyncio.run(scenario())
    assert calls == [(15, "q")]  # five requests, one encoder call
    assert stats[0][:2] == (5, 15)
    for i, rows in enumerate(results, start=1):
        assert rows.shape == (i, 2) and set(rows[:, 0].tolist()) == {i + 2}


def test_repeated_texts_are_encoded_once_within_a_batch_and_across_batches():
    calls: list[tuple[int, object]] = []
    seen: list[list[str]] = []

    def encode(texts, key):
        seen.append(list(texts))
        return fake_encoder(calls)(texts, key)

    async def scenario():
        batcher = MicroBatcher(encode, ThreadPoolExecutor(1), wait_s=0.05, cache_size=10)
        first = await asyncio.gather(batcher.embed(["a", "bb", "a"], "q"), batcher.embed(["bb", "ccc"], "q"))
        again = await batcher.embed(["ccc", "a", "dddd"], "q")
        other_key = await batcher.embed(["a"], "p")
        await batcher.stop()
        return first, again, other_key

    first, again, other_key = asyncio.run(scenario())
    assert seen == [["a", "bb", "ccc"], ["dddd"], ["a"]]  # each (key, text) once
    assert first[0][:, 0].tolist() == [1, 2, 1] and first[1][:, 0].tolist() == [2, 3]
    assert again[:, 0].tolist() == [3, 1, 4]
    assert other_key[0, 1] == hash("p") % 7


def test_cached_rows_keep_tuple_results_and_the_cache_stays_within_its_size():
    def encode(texts, key):
        return np.array([[len(t)] for t in texts], dtype=np.float32), np.array([len(t) * 10 for t in texts])

    async def scenario():
        batcher = MicroBatcher(encode, ThreadPoolExecutor(1), wait_s=0.01, cache_size=2)
        await batcher.embed(["a", "bb", "ccc"], "q")
        vectors, counts = await batcher.embed(["ccc", "bb"], "q")
        await batcher.stop()
        return batcher, vectors, counts

    batcher, vectors, counts = asyncio.run(scenario())
    assert vectors[:, 0].tolist() == [3, 2] and counts.tolist() == [30, 20]
    assert batcher.cached_rows == 2


def test_different_keys_are_encoded_apart_and_limits_split_batches():
    calls: list[tuple[int, object]] = []

    async def scenario():
        batcher = MicroBatcher(fake_encoder(calls), ThreadPoolExecutor(1), max_texts=4, wait_s=0.05)
        await asyncio.gather(batcher.embed(["a", "b"], "q"), batcher.embed(["c"], "p"),
                             batcher.embed(["d", "e"], "q"), batcher.embed(["f", "g", "h"], "q"))
        await batcher.stop()

    asyncio.run(scenario())
    assert sum(n for n, _ in calls) == 8
    assert all(n <= 5 for n, _ in calls)  # a batch stops taking requests once it holds max_texts
    assert {k for _, k in calls} == {"q", "p"}


def test_queries_waiting_behind_an_ingestion_are_encoded_first():
    """A question's query that arrives while passages queue is taken before them: it waits for the batch
    being encoded, not for the whole ingestion."""
    calls: list[tuple[int, object]] = []
    encode = fake_encoder(calls)

    def slow(texts, key):
        import time
        time.sleep(0.05)
        return encode(texts, key)

    async def scenario():
        batcher = MicroBatcher(slow, ThreadPoolExecutor(1), max_texts=2, wait_s=0.0,
                               urgent=lambda key: key == "query")
        ingestion = [asyncio.create_task(batcher.embed([f"p{i}a", f"p{i}b"], "passage")) for i in range(5)]
        await asyncio.sleep(0.01)  # the first passage batch is being encoded
        await batcher.embed(["who decided?"], "query")
        done = sum(t.done() for t in ingestion)
        await asyncio.gather(*ingestion)
        await batcher.stop()
        return done

    assert asyncio.run(scenario()) <= 1  # at most the batch already under way finished before the query
    assert calls[1] == (1, "query")


def test_an_encoder_failure_reaches_every_waiting_request():
    def broken(texts, key):
        raise RuntimeError("boom")

    async def scenario():
        batcher = MicroBatcher(broken, ThreadPoolExecutor(1), wait_s=0.01)
        results = await asyncio.gather(batcher.embed(["a"]), batcher.embed(["b"]), return_exceptions=True)
        await batcher.stop()
        return results

    assert all(isinstance(r, RuntimeError) for r in asyncio.run(scenario()))


def test_texts_that_are_not_cacheable_are_deduplicated_but_not_kept():
    seen: list[list[str]] = []

    def encode(texts, key):
        seen.append(list(texts))
        return np.array([[len(t)] for t in texts], dtype=np.float32)

    async def scenario():
        batcher = MicroBatcher(encode, ThreadPoolExecutor(1), wait_s=0.01,
                               cacheable=lambda key, text: key == "query" or len(text) <= 2)
        await batcher.embed(["long passage", "long passage"], "passage")
        await batcher.embed(["long passage", "p1"], "passage")
        await batcher.embed(["p1"], "passage")
        await batcher.embed(["q1"], "query")
        await batcher.embed(["q1"], "query")
        await batcher.stop()
        return batcher

    batcher = asyncio.run(scenario())
    assert seen == [["long passage"], ["long passage", "p1"], ["q1"]]
    assert batcher.cached_rows == 2


def test_each_key_has_its_own_cache_so_one_kind_never_evicts_the_other():
    seen: list[list[str]] = []

    def encode(texts, key):
        seen.append(list(texts))
        return np.array([[len(t)] for t in texts], dtype=np.float32)

    async def scenario():
        batcher = MicroBatcher(encode, ThreadPoolExecutor(1), wait_s=0.01, cache_size=2)
        await batcher.embed(["q1", "q2"], "query")
        await batcher.embed(["p1", "p2", "p3"], "passage")  # fills and overflows the passage cache only
        await batcher.embed(["q1", "q2"], "query")
        await batcher.stop()
        return batcher

    batcher = asyncio.run(scenario())
    assert seen == [["q1", "q2"], ["p1", "p2", "p3"]]
    assert batcher.cached_rows == 4
