"""/ask end to end through API Gateway on a running stack (`make up`): latency p50/p95 over the labelled
questions with the time split (route, retrieve, evidence, generate), and answer correctness on every question
with answer keywords (an answer is correct when it contains one of the keywords and cites a source; a date
keyword also matches the date as the team writes it: 11月27日, 27/11, Nov 27).

Two sets, reported apart: the planted facts (tests/data/retrieval_questions.jsonl, all dev: the evidence
weights and prompts were set while they were written) and the cross-language questions
(tests/data/cross_language_questions.jsonl, written independently of the answering code; its test split is
never tuned on). Rows are per split, per question language, same-language and cross-language apart.

    .venv/bin/python -m bench.ask [--limit N]     (prints a table, writes bench/results/ask.json)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from urllib.parse import urlparse

from bench.table import ROOT, percentile, print_table, require_pinned_demo, write_results
from devstack import api_client

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.jsonl"


def load_questions(limit: int | None) -> list[dict]:
    """The questions with answer keywords of both sets, with split and source language; the first `limit`
    of each set."""
    from bench.retrieval import all_questions

    rows = [q for q in all_questions() if q.get("answer_keywords")]
    if not limit:
        return rows
    planted = [q for q in rows if q["kind"] != "cross_language"]
    return planted[:limit] + [q for q in rows if q["kind"] == "cross_language"][:limit]


def group_of(q: dict) -> str:
    """e.g. "test cross ja": the split, same- or cross-language (question vs answering document), language."""
    direction = "same" if q["language"] == q.get("source_language", q["language"]) else "cross"
    return f"{q.get('split', 'dev')} {direction} {q['language']}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def states(answer: str, keyword: str) -> bool:
    """Whether `answer` contains `keyword`; a YYYY-MM-DD keyword in any of the forms the demo team writes."""
    text = answer.lower()
    if keyword.lower() in text:
        return True
    m = re.fullmatch(r"\d{4}-(\d{2})-(\d{2})", keyword)
    if not m:
        return False
    month, day = int(m.group(1)), int(m.group(2))
    forms = (rf"(?<!\d){month}月{day}日", rf"(?<![\d/]){day}/{month}(?![\d])",
             rf"\b{MONTHS[month - 1].lower()}[a-z]*\.? {day}(?!\d)", rf"(?<!\d){day} {MONTHS[month - 1].lower()}")
    if day > 12:  # 11/27 can only be month/day
        forms += (rf"(?<![\d/]){month}/{day}(?!\d)",)
    return any(re.search(f, text) for f in forms)


def cites_gold(citations: list[dict], gold: list[dict]) -> bool:
    """Whether a citation links to one of the gold documents (same path: the bench's hosts are local)."""
    def path(url: str) -> str:
        return urlparse(url).path.rstrip("/")
    return bool({path(c["url"]) for c in citations} & {path(g["url"]) for g in gold})


def main() -> int:
    require_pinned_demo()
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    from teamlens.ask.citations import answer_language  # the shared library, as the API uses it
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    args = parser.parse_args()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    questions = load_questions(args.limit)
    api_client.call(info, "POST", "/ask", {"question": "warm-up: what is the v2.4 release date?"})  # warm Lambda
    totals, splits, statuses = [], defaultdict(list), defaultdict(int)
    # per group (a language, or "split direction language"): (correct, cites gold, answered, in language)
    groups: dict[str, list[tuple[bool, bool, bool, bool]]] = defaultdict(list)
    answers = []  # per question, so two runs can be compared answer by answer
    for q in questions:
        t0 = time.perf_counter()
        status, body = api_client.call(info, "POST", "/ask", {"question": q["question"]}, timeout=60)
        totals.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            statuses[f"http {status}"] += 1
            continue
        statuses[body["status"]] += 1
        for k in ("route", "retrieve", "evidence", "generate"):
            if k in body["timings_ms"]:
                splits[k].append(body["timings_ms"][k])
        ok = bool(body["citations"]) and any(states(body["answer"], k) for k in q["answer_keywords"])
        answered = body["status"] == "answered"
        row = (ok, cites_gold(body["citations"], q.get("gold") or []), answered,
               answered and answer_language(body["answer"]) == body["language"])
        for g in (q["language"], group_of(q), f"{q.get('split', 'dev')} {q['kind']}"):
            groups[g].append(row)
        answers.append({"id": q["id"], "group": group_of(q), "correct": ok, "cites_gold": row[1],
                        "status": body["status"], "answer": body["answer"][:400]})
    rows = [("/ask end to end (API Gateway)", f"{percentile(totals, 50):.0f} ms", f"{percentile(totals, 95):.0f} ms",
             "p50 <= 3000 ms")]
    rows += [(f"  {k}", f"{percentile(v, 50):.0f} ms", f"{percentile(v, 95):.0f} ms", "") for k, v in splits.items() if v]
    print_table(("measure", "p50", "p95", "target"), rows)
    print()
    figures = {g: {"n": len(v), "correct": _share(v, 0), "cites_gold": _share(v, 1),
                   "sources_only": round(1 - _share(v, 2), 3),
                   "in_language": round(sum(r[3] for r in v) / max(1, sum(r[2] for r in v)), 3)}
               for g, v in groups.items()}
    print_table(("questions", "n", "correct", "cites a gold document", "not answered by the model",
                 "answers in the question's language"),
                [(g, f["n"], f"{f['correct']:.2f}", f"{f['cites_gold']:.2f}", f"{f['sources_only']:.2f}",
                  f"{f['in_language']:.2f}") for g, f in sorted(figures.items(), key=lambda kv: (len(kv[0]), kv[0]))])
    print(f"\nanswer statuses: {dict(statuses)}")
    write_results("ask", {
        "questions": len(questions), "p50_ms": round(percentile(totals, 50)), "p95_ms": round(percentile(totals, 95)),
        "split_p50_ms": {k: round(percentile(v, 50)) for k, v in splits.items() if v},
        "groups": figures, "statuses": dict(statuses), "answers": answers})
    return 0


def _share(rows: list[tuple[bool, ...]], i: int) -> float:
    return round(sum(r[i] for r in rows) / len(rows), 3) if rows else 0.0


if __name__ == "__main__":
    sys.exit(main())
