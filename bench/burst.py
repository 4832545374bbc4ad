"""N different questions sent to /ask at the same moment, on a running stack (`make up`).

Two rounds: `cold` first makes every environment of the API function new (its configuration gets a fresh
variable, which makes LocalStack retire the running environments, as a deploy does), so the burst pays N
cold starts at once; `warm` sends the same burst again to the environments that burst left running.

    .venv/bin/python -m bench.burst [--n 20] [--rounds cold,warm]   (table; bench/results/burst.json)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench.ask import load_questions
from bench.table import ROOT, percentile, print_table, require_pinned_demo, write_results
from devstack import api_client
from devstack.deploy import retire_environments

API_GATEWAY_LIMIT_S = 29  # what real API Gateway allows an integration


def burst(info: dict, questions: list[str]) -> list[dict]:
    def one(q: str) -> dict:
        t0 = time.perf_counter()
        status, body = api_client.call(info, "POST", "/ask", {"question": q}, timeout=120)
        return {"status": status, "s": time.perf_counter() - t0,
                "answer_status": body.get("status") if status == 200 else None,
                "error": None if status == 200 else str(body.get("message", body))[:200]}

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        return list(pool.map(one, questions))


def main() -> int:
    require_pinned_demo()
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--rounds", default="cold,warm")
    args = parser.parse_args()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    questions = [q["question"] for q in load_questions(None)][: args.n]
    rows, result = [], {"n": args.n, "rounds": {}}
    for round_name in args.rounds.split(","):
        if round_name == "cold":
            retire_environments(info["endpoint"], info["outputs"]["ApiFunction"])
        results = burst(info, questions)
        seconds = [r["s"] for r in results]
        ok = sum(r["status"] == 200 for r in results)
        kinds = Counter(r["answer_status"] or f"http {r['status']}" for r in results)
        over = sum(s > API_GATEWAY_LIMIT_S for s in seconds)
        rows.append((round_name, f"{ok}/{len(results)}", f"{min(seconds):.1f}-{max(seconds):.1f} s",
                     f"{percentile(seconds, 50):.1f} s", over, dict(kinds)))
        result["rounds"][round_name] = {"ok": ok, "over_29s": over, "statuses": dict(kinds),
                                        "seconds": [round(s, 2) for s in seconds],
                                        "errors": [r["error"] for r in results if r["error"]]}
    print_table(("round", "HTTP 200", "range", "p50", f"> {API_GATEWAY_LIMIT_S} s", "answers"), rows)
    write_results("burst", result)
    return 0 if all(r["ok"] == args.n for r in result["rounds"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
