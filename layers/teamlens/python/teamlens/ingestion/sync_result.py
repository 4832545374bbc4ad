"""What one source's fetch produced: the keys written or removed, counts, and the next cursor.

Writes are queued on the raw store and overlap; `settle` waits for them and only then fills in which
keys changed, in the order they were written, so the manifest is complete and deterministic.
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from teamlens.ingestion.raw_store import RawStore


@dataclass
class SyncResult:
    cursor: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    complete: bool = True  # False: a call budget ran out; the rest resumes next run
    _writes: list[tuple[str, str, Future]] = field(default_factory=list, repr=False)

    def write(self, store: RawStore, key: str, obj: Any, kind: str) -> None:
        self._writes.append((key, kind, store.submit_put(key, obj)))

    def remove(self, store: RawStore, key: str, kind: str) -> None:
        self._writes.append((key, kind, store.submit_delete(key)))

    def settle(self, store: RawStore) -> SyncResult:
        """Wait for every queued write (raising the first failure) and account for them."""
        store.drain()
        for key, kind, future in self._writes:
            outcome = future.result()
            if outcome is None:  # a delete
                self.counts[f"{kind}_deleted"] += 1
                self.deleted.append(key)
            else:
                self.counts[f"{kind}_{outcome}"] += 1
                if outcome != "unchanged":
                    self.changed.append(key)
        self._writes.clear()
        return self
