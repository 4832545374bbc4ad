"""Micro-batching of concurrent embedding requests.

Requests queue up; one worker takes everything waiting (up to `max_texts`, after a short `wait_s` for
stragglers), encodes it in one call on a dedicated thread, and hands each request its rows. While a
batch is being encoded, new requests accumulate, so under load batches grow by themselves.

Identical texts are encoded once: within a batch they are deduplicated, and recent results of the texts
the caller marks cacheable are kept in a small LRU cache per key. The same inputs arrive again and again in
practice: every new Lambda environment embeds the router's labelled examples, and a burst of cold starts
used to send the same few hundred texts once per environment, which kept the encoder busy while the
questions themselves timed out.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

# Returns one array, or a tuple of arrays (e.g. vectors and token counts), each with a row per text.
Batch = np.ndarray | tuple[np.ndarray, ...]
EncodeFn = Callable[[list[str], Hashable], Batch]


@dataclass
class Pending:
    texts: list[str]
    key: Hashable  # requests with different keys (e.g. query/passage prompts) are encoded apart
    future: asyncio.Future = field(repr=False)


def group_by_key(items: Sequence[Pending]) -> list[tuple[Hashable, list[Pending]]]:
    """Group in arrival order of each key's first request."""
    groups: dict[Hashable, list[Pending]] = {}
    for item in items:
        groups.setdefault(item.key, []).append(item)
    return list(groups.items())


def split_rows(result: Batch, sizes: Sequence[int]) -> list[Batch]:
    """Cut a stacked result (an array or a tuple of arrays) back into one block of rows per request."""
    arrays = result if isinstance(result, tuple) else (result,)
    for a in arrays:
        if a.shape[0] != sum(sizes):
            raise ValueError(f"encoder returned {a.shape[0]} rows for {sum(sizes)} texts")
    bounds = np.cumsum([0, *sizes])
    parts = [tuple(a[bounds[i]:bounds[i + 1]] for a in arrays) for i in range(len(sizes))]
    return parts if isinstance(result, tuple) else [p[0] for p in parts]


def concat_rows(blocks: Sequence[Batch]) -> Batch:
    """The inverse of `split_rows`: stack row blocks (arrays, or tuples of arrays) into one result."""
    if isinstance(blocks[0], tuple):
        return tuple(np.concatenate([b[j] for b in blocks]) for j in range(len(blocks[0])))
    return np.concatenate(blocks)


class RowCache:
    """LRU of (key, text) -> that text's one-row block, shaped as `split_rows` cuts it."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._rows: OrderedDict[tuple[Hashable, str], Batch] = OrderedDict()

    def get(self, key: Hashable, text: str) -> Batch | None:
        rows = self._rows.get((key, text))
        if rows is not None:
            self._rows.move_to_end((key, text))
        return rows

    def put(self, key: Hashable, text: str, rows: Batch) -> None:
        if self.capacity <= 0:
            return
        # Copies: a row sliced from a batch is a view that would keep the whole batch's array alive.
        self._rows[(key, text)] = tuple(a.copy() for a in rows) if isinstance(rows, tuple) else rows.copy()
        self._rows.move_to_end((key, text))
        while len(self._rows) > self.capacity:
            self._rows.popitem(last=False)

    def __len__(self) -> int:
        return len(self._rows)


async def cancel_and_wait(task: asyncio.Task | None) -> None:
    """Cancel a background task and wait until it has stopped."""
    if task is not None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass


class MicroBatcher:
    def __init__(self, encode: EncodeFn, executor: Executor, *, max_texts: int = 256, wait_s: float = 0.002,
                 on_batch: Callable[[int, int, float], None] | None = None, cache_size: int = 4096,
                 cacheable: Callable[[Hashable, str], bool] | None = None,
                 urgent: Callable[[Hashable], bool] | None = None) -> None:
        """`cacheable(key, text)`: whether that text's rows are kept for later requests (None: every text).
        Each key has its own LRU of `cache_size` rows, so a flood of one kind never evicts the other's.
        `urgent(key)`: requests of such keys (a person's search query) are taken before the others (an
        ingestion's passages), so on a slow model a question waits for one batch at most, not for the queue."""
        self._encode = encode
        self._cache_size = cache_size
        self._caches: dict[Hashable, RowCache] = {}
        self._cacheable = cacheable
        self._executor = executor
        self._max_texts = max_texts
        self._wait_s = wait_s
        self._on_batch = on_batch  # (requests, texts, seconds) per encoded batch, for metrics
        self._urgent = urgent or (lambda key: False)
        self._queue: asyncio.PriorityQueue[tuple[int, int, Pending]] = asyncio.PriorityQueue()
        self._arrivals = 0  # keeps arrival order within a priority
        self._task: asyncio.Task | None = None

    @property
    def cached_rows(self) -> int:
        return sum(len(c) for c in self._caches.values())

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="embedding-batcher")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def embed(self, texts: list[str], key: Hashable = None) -> Batch:
        self.start()
        fut = asyncio.get_running_loop().create_future()
        self._arrivals += 1
        await self._queue.put((0 if self._urgent(key) else 1, self._arrivals, Pending(texts, key, fut)))
        return await fut

    async def _collect(self) -> list[Pending]:
        batch = [(await self._queue.get())[2]]
        count = len(batch[0].texts)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait_s
        while count < self._max_texts:
            try:
                _, _, item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    _, _, item = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
            batch.append(item)
            count += len(item.texts)
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [p for p in await self._collect() if not p.future.done()]  # drop cancelled requests
            for key, group in group_by_key(batch):
                texts = [t for p in group for t in p.texts]
                cache = self._caches.setdefault(key, RowCache(self._cache_size))
                keep = {t for t in dict.fromkeys(texts) if self._cacheable is None or self._cacheable(key, t)}
                # Taken now: remembering this batch's new rows may evict older ones it also uses.
                known = {t: cache.get(key, t) if t in keep else None for t in dict.fromkeys(texts)}
                missing = [t for t, rows in known.items() if rows is None]
                started = loop.time()
                try:
                    if missing:
                        result = await loop.run_in_executor(self._executor, self._encode, missing, key)
                        fresh = dict(zip(missing, split_rows(result, [1] * len(missing))))
                        known.update(fresh)
                        for text, rows in fresh.items():
                            if text in keep:
                                cache.put(key, text, rows)
                    parts = split_rows(concat_rows([known[t] for t in texts]), [len(p.texts) for p in group])
                except Exception as exc:  # noqa: BLE001 - every waiting request learns of the failure
                    for p in group:
                        if not p.future.done():
                            p.future.set_exception(exc)
                    continue
                if self._on_batch and missing:
                    self._on_batch(len(group), len(missing), loop.time() - started)
                for p, rows in zip(group, parts):
                    if not p.future.done():
                        p.future.set_result(rows)
