"""Routing accuracy and latency on the labelled requests: the dev split (tests/data/intent_requests.py, which
the router's patterns, exemplars and margin were fitted to) and the test split
(tests/data/intent_requests_test.py, written without looking at the router and never fitted to). Per split:
intent accuracy per language and per intent (chitchat and unknown as one: both get the help answer), a confusion matrix, argument accuracy per argument (channel,
MR, project, period, report kind), latency per routing method, share decided without the LLM.

    .venv/bin/python -m bench.intent     (uses the running stack's model host; writes bench/results/intent.json)
"""
from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from bench.table import ROOT, percentile, print_table, write_results

TZ = ZoneInfo("Asia/Tokyo")
SPLITS = {"dev": "intent_requests.py", "test": "intent_requests_test.py"}
# chitchat and unknown both get the help answer (what teamlens can do), so they are one outcome here: the
# dev split calls an out-of-scope request "unknown", the test split "chitchat".
HELP = "help"
OUTCOMES = ("search", "summarize_slack", "review_mr", "report", HELP)
Request = tuple[str, str, str, dict]


def load_split(split: str) -> tuple[datetime, list[Request]]:
    """(now, rows) of one labelled split, loaded by path (tests/data is not a package)."""
    path = ROOT / "tests" / "data" / SPLITS[split]
    spec = importlib.util.spec_from_file_location(f"intent_requests_{split}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.NOW, module.REQUESTS


def _day(value: datetime | None) -> str | None:
    return value.astimezone(TZ).date().isoformat() if value else None


def argument_checks(route, expected: dict) -> dict[str, bool]:
    """Each expected argument: whether the route has it."""
    a = route.args
    checks: dict[str, bool] = {}
    for key, want in expected.items():
        if key == "date_range":
            got = a.date_range
            checks["period"] = got is not None and (_day(got.since), _day(got.until)) == tuple(want)
        elif key == "mr":
            checks["mr"] = a.mr is not None and (a.mr.project, a.mr.iid) == tuple(want)
        elif key == "project":
            # a GitLab path ("kumo/booking-api") or a Backlog key: the last segment names the project
            checks["project"] = bool(a.project) and a.project.split("/")[-1].lower() == str(want).split("/")[-1].lower()
        else:
            checks[key] = getattr(a, key) == want
    return checks


def outcome(intent: str) -> str:
    return HELP if intent in ("chitchat", "unknown") else intent


def evaluate(router, requests: list[Request] | None = None, now: datetime | None = None) -> dict:
    """Route every request and score it (the dev split when no requests are given)."""
    if requests is None:
        now, requests = load_split("dev")
    rows = []
    for lang, text, intent, expected in requests:
        t0 = time.perf_counter()
        route = router.route(text, now=now)
        ms = (time.perf_counter() - t0) * 1000
        want, got = outcome(intent), outcome(route.intent)
        rows.append({"lang": lang, "text": text, "want": want, "got": got, "method": route.method,
                     "ms": ms, "args": argument_checks(route, expected) if got == want else {}})
    by = defaultdict(list)
    for r in rows:
        for g in ("all", r["lang"], f"intent:{r['want']}"):
            by[g].append(r["got"] == r["want"])
    per_argument = defaultdict(list)
    for r in rows:
        for key, ok in r["args"].items():
            per_argument[key].append(ok)
    all_args = [ok for v in per_argument.values() for ok in v]
    confusion = Counter((r["want"], r["got"]) for r in rows)
    methods = defaultdict(list)
    for r in rows:
        methods[r["method"]].append(r["ms"])
    return {
        "n": len(rows),
        "accuracy": {g: round(sum(v) / len(v), 3) for g, v in by.items()},
        "argument_accuracy": round(sum(all_args) / len(all_args), 3) if all_args else None,
        "arguments_checked": len(all_args),
        "argument_accuracy_by_argument": {k: {"n": len(v), "accuracy": round(sum(v) / len(v), 3)}
                                          for k, v in sorted(per_argument.items())},
        "confusion": {want: {got: confusion[(want, got)] for got in OUTCOMES if confusion[(want, got)]}
                      for want in OUTCOMES if any(confusion[(want, g)] for g in OUTCOMES)},
        "latency_ms": {m: {"n": len(v), "p50": round(percentile(v, 50), 1), "p95": round(percentile(v, 95), 1)}
                       for m, v in methods.items()},
        "overall_p50_ms": round(percentile([r["ms"] for r in rows], 50), 1),
        "without_llm": round(sum(r["method"] != "llm" for r in rows) / len(rows), 3),
        "errors": [f"{r['lang']} {r['text']!r}: want {r['want']}, got {r['got']} ({r['method']})"
                   for r in rows if r["got"] != r["want"]]
        + [f"{r['lang']} {r['text']!r}: {k}" for r in rows for k, ok in r["args"].items() if not ok],
    }


def router_for(model_host_url: str):
    from teamlens.embeddings import Embedder
    from teamlens.model_host_client import chat_model
    from teamlens.orchestrator.router import Router

    return Router(Embedder(model_host_url), chat_model(model_host_url, priority="interactive"))


def print_split_tables(results: dict[str, dict]) -> None:
    splits = list(results)
    groups = sorted({g for r in results.values() for g in r["accuracy"]})
    print_table(("intent accuracy", *splits),
                [(g, *(f"{results[s]['accuracy'].get(g, float('nan')):.3f}" for s in splits)) for g in groups])
    arguments = sorted({k for r in results.values() for k in r["argument_accuracy_by_argument"]})
    print()
    print_table(("argument accuracy", *splits),
                [("all", *(f"{results[s]['argument_accuracy']} ({results[s]['arguments_checked']})" for s in splits)),
                 *((k, *(_argument_cell(results[s], k) for s in splits)) for k in arguments)])
    for split, r in results.items():
        print(f"\n{split}: confusion (rows: labelled, columns: routed)")
        print_table(("", *OUTCOMES), [(want, *(r["confusion"].get(want, {}).get(got, "") for got in OUTCOMES))
                                      for want in OUTCOMES if want in r["confusion"]])
        print_table(("method", "n", "p50 ms", "p95 ms"),
                    [(m, v["n"], v["p50"], v["p95"]) for m, v in r["latency_ms"].items()])
        print(f"overall p50 {r['overall_p50_ms']} ms; decided without the LLM: {r['without_llm']:.0%}")


def _argument_cell(result: dict, key: str) -> str:
    v = result["argument_accuracy_by_argument"].get(key)
    return f"{v['accuracy']:.3f} ({v['n']})" if v else "-"


def main() -> int:
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    router = router_for(info["model_host_url"])
    results = {}
    for split in SPLITS:
        now, requests = load_split(split)
        results[split] = evaluate(router, requests, now)
    print_split_tables(results)
    for split, r in results.items():
        for e in r["errors"]:
            print(f"   {split}: {e}")
    write_results("intent", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
