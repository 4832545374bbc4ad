"""Stack figures: GET /health latency through API Gateway, `make up` when already up, LocalStack RSS.

Run against a stack brought up with `make up`:  .venv/bin/python -m bench.stack [--calls 100]
Prints a table and writes bench/results/stack.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.table import ROOT, percentile, print_table, write_results


def health_latencies(api_url: str, key: str, calls: int) -> list[float]:
    req = urllib.request.Request(f"{api_url}/health", headers={"x-api-key": key})
    urllib.request.urlopen(req, timeout=30).read()  # warm the Lambda environment
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
            assert resp.status == 200
        out.append((time.perf_counter() - t0) * 1000)
    return out


def tree_rss_mib(pid: int) -> float:
    """RSS of a process and all its descendants (LocalStack runs DynamoDB Local and Lambdas as children)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        stack += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--skip-up", action="store_true", help="do not time `devstack up` on the running stack")
    args = parser.parse_args()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    rows: list[tuple[str, str, str]] = []

    lat = health_latencies(info["api_url"], info["api_key"], args.calls)
    p50, p95 = statistics.median(lat), percentile(lat, 95)
    rows += [(f"GET /health p50 ({args.calls} calls)", f"{p50:.1f} ms", "<= 50 ms"),
             ("GET /health p95", f"{p95:.1f} ms", "")]

    result: dict[str, object] = {"health_p50_ms": round(p50, 1), "health_p95_ms": round(p95, 1)}
    if not args.skip_up:
        t0 = time.time()
        subprocess.run([sys.executable, "-m", "devstack", "up"], cwd=ROOT, check=True, capture_output=True)
        warm = time.time() - t0
        rows.append(("`make up` when already up", f"{warm:.1f} s", "<= 90 s"))
        result["make_up_when_up_s"] = round(warm, 1)

    pid = json.loads((ROOT / ".state" / "pids" / "localstack.json").read_text())["pid"]
    rss = tree_rss_mib(pid)
    rows.append(("LocalStack RSS (with DynamoDB Local, Lambda envs)", f"{rss:.0f} MiB", ""))
    result["localstack_rss_mib"] = round(rss)

    print_table(("measure", "value", "target"), rows)
    write_results("stack", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
