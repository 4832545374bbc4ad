"""Routing accuracy and latency on the labelled requests (tests/data/intent_requests.py): intent accuracy per
language and per intent, argument accuracy, latency per routing method, share decided without the LLM.

    .venv/bin/python -m bench.intent     (uses the running stack's model host; writes bench/results/intent.json)
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from zoneinfo import ZoneInfo

from bench.table import ROOT, percentile, print_table, write_results

TZ = ZoneInfo("Asia/Tokyo")


def load_requests():
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    from intent_requests import NOW, REQUESTS

    return NOW, REQUESTS


def args_match(route, expected: dict) -> bool:
    a = route.args
    for key, want in expected.items():
        if key == "date_range":
            got = a.date_range
            if got is None or (got.since.astimezone(TZ).date().isoformat(),
                               got.until.astimezone(TZ).date().isoformat()) != want:
                if not (got and got.until and got.until.astimezone(TZ).date().isoformat() == want[1]
                        and got.since.astimezone(TZ).date().isoformat() == want[0]):
                    return False
        elif key == "mr":
            if a.mr is None or (a.mr.project, a.mr.iid) != want:
                return False
        elif getattr(a, key) != want:
            return False
    return True


def evaluate(router) -> dict:
    now, requests = load_requests()
    rows = []
    for lang, text, intent, expected in requests:
        t0 = time.perf_counter()
        route = router.route(text, now=now)
        ms = (time.perf_counter() - t0) * 1000
        rows.append({"lang": lang, "text": text, "want": intent, "got": route.intent, "method": route.method,
                     "ms": ms, "args_ok": args_match(route, expected) if expected else None})
    by = defaultdict(list)
    for r in rows:
        for g in ("all", r["lang"], f"intent:{r['want']}"):
            by[g].append(r["got"] == r["want"])
    with_args = [r["args_ok"] for r in rows if r["args_ok"] is not None and r["got"] == r["want"]]
    methods = defaultdict(list)
    for r in rows:
        methods[r["method"]].append(r["ms"])
    return {
        "n": len(rows),
        "accuracy": {g: round(sum(v) / len(v), 3) for g, v in by.items()},
        "argument_accuracy": round(sum(with_args) / len(with_args), 3) if with_args else None,
        "arguments_checked": len(with_args),
        "latency_ms": {m: {"n": len(v), "p50": round(percentile(v, 50), 1), "p95": round(percentile(v, 95), 1)}
                       for m, v in methods.items()},
        "overall_p50_ms": round(percentile([r["ms"] for r in rows], 50), 1),
        "without_llm": round(sum(r["method"] != "llm" for r in rows) / len(rows), 3),
        "errors": [f"{r['lang']} {r['text']!r}: want {r['want']}, got {r['got']} ({r['method']})"
                   for r in rows if r["got"] != r["want"]]
        + [f"{r['lang']} {r['text']!r}: arguments" for r in rows if r["args_ok"] is False and r["got"] == r["want"]],
    }


def router_for(model_host_url: str):
    from teamlens.embeddings import Embedder
    from teamlens.models import chat_model
    from teamlens.orchestrator.router import Router

    return Router(Embedder(model_host_url), chat_model(model_host_url, priority="interactive"))


def main() -> int:
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    result = evaluate(router_for(info["model_host_url"]))
    acc = result["accuracy"]
    print_table(("group", "intent accuracy"), [(g, f"{v:.3f}") for g, v in sorted(acc.items())])
    print(f"\nargument accuracy: {result['argument_accuracy']} over {result['arguments_checked']} requests with arguments")
    print_table(("method", "n", "p50 ms", "p95 ms"),
                [(m, v["n"], v["p50"], v["p95"]) for m, v in result["latency_ms"].items()])
    print(f"overall p50 {result['overall_p50_ms']} ms; decided without the LLM: {result['without_llm']:.0%}")
    for e in result["errors"]:
        print("  ", e)
    write_results("intent", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
