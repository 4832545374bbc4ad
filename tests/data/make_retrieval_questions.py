"""Writes tests/data/retrieval_questions.jsonl from the demo workspace's ground truth (deterministic:
`python -m demo` regenerates the same ground truth, so the set is regenerated the same way).

    .venv/bin/python tests/data/make_retrieval_questions.py [path/to/ground_truth.json]

Three kinds of question, each with the gold documents that answer it:
  - the planted one-answer facts, asked in English, Japanese and Vietnamese as the demo author wrote them
    (with `answer_keywords`, so the answer-correctness bench reuses them);
  - the cross-source chains (Slack thread → Backlog issue → merge request), asked per language with the
    topic in English: Japanese and Vietnamese teams quote English issue titles as they are;
  - the recorded decisions, asked in English.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "retrieval_questions.jsonl"

CHAIN_QUESTIONS = {
    "backlog": {"en": "Which Backlog issue tracks the {topic} problem?",
                "ja": "「{topic}」の問題を追跡しているBacklog課題はどれですか？",
                "vi": "Issue Backlog nào theo dõi vấn đề \"{topic}\"?"},
    "merge_request": {"en": "Which merge request fixed the {topic} bug?",
                      "ja": "「{topic}」のバグを修正したマージリクエストはどれですか？",
                      "vi": "Merge request nào sửa lỗi \"{topic}\"?"},
    "slack": {"en": "Where was the {topic} issue first reported in Slack?",
              "ja": "「{topic}」の問題はSlackのどこで最初に報告されましたか？",
              "vi": "Lỗi \"{topic}\" được báo lần đầu ở đâu trên Slack?"},
}


def gold_ref(g: dict) -> dict:
    keep = ("source", "url", "channel_id", "ts", "thread_ts", "issue_key", "project", "iid")
    return {k: g[k] for k in keep if k in g}


def main(path: Path) -> int:
    truth = json.loads(path.read_text())
    rows = []
    for fact in truth["facts"]:
        for lang, questions in fact["question"].items():
            for q in questions:
                rows.append({"id": f"fact:{fact['id']}:{lang}:{len(rows)}", "kind": "fact", "language": lang,
                             "question": q, "gold": [gold_ref(g) for g in fact["gold"]],
                             "answer_keywords": fact["answer_keywords"]})
    for chain in truth["chains"]:
        for part, templates in CHAIN_QUESTIONS.items():
            for lang, template in templates.items():
                rows.append({"id": f"chain:{chain['id']}:{part}:{lang}", "kind": "chain", "language": lang,
                             "question": template.format(topic=chain["topic"]), "gold": [gold_ref(chain[part])]})
    for dec in truth["decisions"]:
        rows.append({"id": f"decision:{dec['id']}", "kind": "decision", "language": "en",
                     "question": f"What was decided: {dec['summary'].split(',')[0].split('(')[0].strip()}?",
                     "gold": [gold_ref(dec["source"])]})
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} questions -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".state" / "demo" / "ground_truth.json"))
