"""/ask end to end through API Gateway on a running stack (`make up`): latency p50/p95 over the labelled
questions with the time split (route, retrieve, generate), and answer correctness on the planted
one-answer facts (an answer is correct when it contains one of the fact's answer keywords and cites a source).

    .venv/bin/python -m bench.ask [--limit N]     (prints a table, writes bench/results/ask.json)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict

from bench.table import ROOT, percentile, print_table, write_results
from devstack import api_client

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.jsonl"


def load_questions(limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return rows[:limit] if limit else rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    args = parser.parse_args()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    questions = load_questions(args.limit)
    api_client.call(info, "POST", "/ask", {"question": "warm-up: what is the v2.4 release date?"})  # warm Lambda
    totals, splits, correct, facts, statuses = [], defaultdict(list), defaultdict(list), 0, defaultdict(int)
    answers = []  # per fact question, so two runs can be compared answer by answer
    for q in questions:
        t0 = time.perf_counter()
        status, body = api_client.call(info, "POST", "/ask", {"question": q["question"]}, timeout=60)
        totals.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            statuses[f"http {status}"] += 1
            continue
        statuses[body["status"]] += 1
        for k in ("route", "retrieve", "generate"):
            if k in body["timings_ms"]:
                splits[k].append(body["timings_ms"][k])
        keywords = q.get("answer_keywords") or []
        if keywords:
            facts += 1
            ok = bool(body["citations"]) and any(k.lower() in body["answer"].lower() for k in keywords)
            correct[q.get("language", "?")].append(ok)
            answers.append({"id": q["id"], "correct": ok, "status": body["status"], "answer": body["answer"][:400]})
    rows = [("/ask end to end (API Gateway)", f"{percentile(totals, 50):.0f} ms", f"{percentile(totals, 95):.0f} ms",
             "p50 <= 3000 ms")]
    rows += [(f"  {k}", f"{percentile(v, 50):.0f} ms", f"{percentile(v, 95):.0f} ms", "") for k, v in splits.items() if v]
    print_table(("measure", "p50", "p95", "target"), rows)
    print()
    acc = {lang: sum(v) / len(v) for lang, v in correct.items() if v}
    print_table(("planted facts", "correct", "n"),
                [(lang, f"{a:.2f}", len(correct[lang])) for lang, a in sorted(acc.items())])
    print(f"\nanswer statuses: {dict(statuses)}")
    write_results("ask", {
        "questions": len(questions), "p50_ms": round(percentile(totals, 50)), "p95_ms": round(percentile(totals, 95)),
        "split_p50_ms": {k: round(percentile(v, 50)) for k, v in splits.items() if v},
        "fact_correctness": {k: round(v, 3) for k, v in acc.items()}, "facts": facts, "statuses": dict(statuses),
        "answers": answers})
    return 0


if __name__ == "__main__":
    sys.exit(main())
