"""/ask end to end through API Gateway on a running stack (`make up`): latency p50/p95 over the labelled
questions with the time split (route, retrieve, generate), and answer correctness on the planted
one-answer facts (an answer is correct when it contains one of the fact's answer keywords and cites a source;
a date keyword also matches the date as the team writes it: 11月27日, 27/11, Nov 27).

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

from bench.table import ROOT, percentile, print_table, write_results
from devstack import api_client

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.jsonl"


def load_questions(limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return rows[:limit] if limit else rows


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
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    from teamlens.ask.citations import answer_language  # the shared library, as the API uses it
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    args = parser.parse_args()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    questions = load_questions(args.limit)
    api_client.call(info, "POST", "/ask", {"question": "warm-up: what is the v2.4 release date?"})  # warm Lambda
    totals, splits, correct, facts, statuses = [], defaultdict(list), defaultdict(list), 0, defaultdict(int)
    gold_cited = defaultdict(list)  # per language: the answer cites one of the question's gold documents
    answers = []  # per fact question, so two runs can be compared answer by answer
    in_language = defaultdict(list)  # per language: an answered question's answer is in its language
    for q in questions:
        t0 = time.perf_counter()
        status, body = api_client.call(info, "POST", "/ask", {"question": q["question"]}, timeout=60)
        totals.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            statuses[f"http {status}"] += 1
            continue
        statuses[body["status"]] += 1
        if body["status"] == "answered":
            in_language[q.get("language", "?")].append(answer_language(body["answer"]) == body["language"])
        for k in ("route", "retrieve", "generate"):
            if k in body["timings_ms"]:
                splits[k].append(body["timings_ms"][k])
        keywords = q.get("answer_keywords") or []
        if keywords:
            facts += 1
            ok = bool(body["citations"]) and any(states(body["answer"], k) for k in keywords)
            correct[q.get("language", "?")].append(ok)
            gold_cited[q.get("language", "?")].append(cites_gold(body["citations"], q.get("gold") or []))
            answers.append({"id": q["id"], "correct": ok, "cites_gold": gold_cited[q.get("language", "?")][-1],
                            "status": body["status"], "answer": body["answer"][:400]})
    rows = [("/ask end to end (API Gateway)", f"{percentile(totals, 50):.0f} ms", f"{percentile(totals, 95):.0f} ms",
             "p50 <= 3000 ms")]
    rows += [(f"  {k}", f"{percentile(v, 50):.0f} ms", f"{percentile(v, 95):.0f} ms", "") for k, v in splits.items() if v]
    print_table(("measure", "p50", "p95", "target"), rows)
    print()
    acc = {lang: sum(v) / len(v) for lang, v in correct.items() if v}
    cited = {lang: sum(v) / len(v) for lang, v in gold_cited.items() if v}
    same = {lang: sum(v) / len(v) for lang, v in in_language.items() if v}
    print_table(("planted facts", "correct", "cites a gold document", "n", "answers in the question's language"),
                [(lang, f"{a:.2f}", f"{cited[lang]:.2f}", len(correct[lang]),
                  f"{sum(in_language[lang])}/{len(in_language[lang])}") for lang, a in sorted(acc.items())])
    print(f"\nanswer statuses: {dict(statuses)}")
    write_results("ask", {
        "questions": len(questions), "p50_ms": round(percentile(totals, 50)), "p95_ms": round(percentile(totals, 95)),
        "split_p50_ms": {k: round(percentile(v, 50)) for k, v in splits.items() if v},
        "fact_correctness": {k: round(v, 3) for k, v in acc.items()},
        "fact_cites_gold": {k: round(v, 3) for k, v in cited.items()},
        "answers_in_question_language": {k: round(v, 3) for k, v in same.items()}, "facts": facts, "statuses": dict(statuses),
        "answers": answers})
    return 0


if __name__ == "__main__":
    sys.exit(main())
