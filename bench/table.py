"""The benches' shared output: a plain-text table on stdout and a JSON file under bench/results/."""
from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in header], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_results(name: str, result: dict[str, Any]) -> Path:
    path = RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**result, "machine": machine()}, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {path.relative_to(ROOT)}")
    return path


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def require_pinned_demo() -> None:
    """The labelled question sets were written against the demo ending PINNED_DEMO_END; a stack whose demo
    ends on another day (a new `make up` ends it today) would score dates and facts that moved."""
    from devstack.simulators import PINNED_DEMO_END, recorded_demo_end

    end = recorded_demo_end() or PINNED_DEMO_END
    if end != PINNED_DEMO_END:
        raise SystemExit(f"this stack's demo workspace ends {end}; the benchmarks need the one ending "
                         f"{PINNED_DEMO_END}: `make reset && TEAMLENS_DEMO_END={PINNED_DEMO_END} make up`")
