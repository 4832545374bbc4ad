"""Honest "not found": `/ask` through API Gateway on a running stack (`make up`) over questions whose answer is
not in the demo workspace (tests/data/unanswerable_questions.jsonl, written independently of the answering
code, dev/test split), and off-topic small talk. What counts as handled: an unanswerable question answered
`not_found` (or the help answer), never with cited facts; an off-topic one answered without citations.

    .venv/bin/python -m bench.not_found      (prints a table, writes bench/results/not_found.json)
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict

from bench.table import ROOT, print_table, require_pinned_demo, write_results
from devstack import api_client

QUESTIONS = ROOT / "tests" / "data" / "unanswerable_questions.jsonl"


def handled(body: dict) -> bool:
    """No unrelated facts offered as the answer: nothing cited, and not the quoted facts of `sources_only`."""
    return body.get("status") in ("not_found", "answered", "needs_input") and not body.get("citations")


def main() -> int:
    require_pinned_demo()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    groups: dict[str, list[bool]] = defaultdict(list)
    outcomes = []
    for q in rows:
        status, body = api_client.call(info, "POST", "/ask", {"question": q["question"]}, timeout=120)
        ok = status == 200 and handled(body)
        outcomes.append({"id": q["id"], "http": status, "status": body.get("status"), "intent": body.get("intent"),
                         "citations": len(body.get("citations") or []), "handled": ok,
                         "answer": (body.get("answer") or body.get("message") or "")[:200]})
        for group in ("all", q["language"], q["kind"], f"{q['kind']}:{q['split']}"):
            groups[group].append(ok)
    table = [(g, len(v), f"{sum(v) / len(v):.2f}") for g, v in groups.items()]
    print_table(("questions", "n", "handled (no unrelated facts)"), table)
    statuses = defaultdict(int)
    for o in outcomes:
        statuses[o["status"] or f"HTTP {o['http']}"] += 1
    print(f"\nstatuses: {dict(statuses)}")
    write_results("not_found", {"groups": {g: {"n": len(v), "handled": sum(v) / len(v)} for g, v in groups.items()},
                                "statuses": dict(statuses), "outcomes": outcomes})
    return 0


if __name__ == "__main__":
    sys.exit(main())
