"""What one source's fetch produced: the keys written or removed, counts, and the next cursor."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from teamlens.ingestion.raw_store import RawStore, WriteOutcome


@dataclass
class SyncResult:
    cursor: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    complete: bool = True  # False: a call budget ran out; the rest resumes next run

    def write(self, store: RawStore, key: str, obj: Any, kind: str) -> WriteOutcome:
        outcome = store.put_json(key, obj)
        self.counts[f"{kind}_{outcome}"] += 1
        if outcome != "unchanged":
            self.changed.append(key)
        return outcome

    def remove(self, store: RawStore, key: str, kind: str) -> None:
        store.delete(key)
        self.counts[f"{kind}_deleted"] += 1
        self.deleted.append(key)
