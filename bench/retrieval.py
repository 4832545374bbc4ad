"""Retrieval quality on the labelled questions over a running stack's index (`make up`): recall@5 and MRR,
per language and kind, dense-only against hybrid; per direction (question language → language of the
document that answers), dev and test split apart; plus search latency.

The sets: tests/data/retrieval_questions.jsonl (written with the demo, all dev: the ranking was tuned
while it grew) and tests/data/cross_language_questions.jsonl (written independently of the ranking code,
split into dev and test; nothing may be fitted to its test split).

    .venv/bin/python -m bench.retrieval      (prints tables, writes bench/results/retrieval.json)
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

from bench.table import ROOT, percentile, print_table, require_pinned_demo, write_results

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.jsonl"
CROSS_LANGUAGE = ROOT / "tests" / "data" / "cross_language_questions.jsonl"
DEMO = ROOT / ".state" / "demo"
LANGUAGES = ("en", "ja", "vi")
K = 5


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def all_questions() -> list[dict]:
    """Both sets; the first has no split of its own (it is dev) and no source language (read from the demo)."""
    questions = [{"split": "dev", **q} for q in load_questions()]
    if CROSS_LANGUAGE.exists():
        questions += load_questions(CROSS_LANGUAGE)
    texts = GoldTexts(DEMO)
    for q in questions:
        q.setdefault("source_language", texts.language(q["gold"][0]))
    return questions


class GoldTexts:
    """The text of a gold document in the demo workspace, to tell which language answers a question."""

    def __init__(self, folder: Path) -> None:
        slack = json.loads((folder / "slack.json").read_text())
        names = {c["id"]: c["name"] for c in slack["channels"]}
        self.slack = {(cid, m["ts"]): m.get("text", "") for cid, name in names.items()
                      for m in slack["messages"].get(name, [])}
        backlog = json.loads((folder / "backlog.json").read_text())
        self.backlog = {i["issueKey"]: i for i in backlog["issues"]}
        gitlab = json.loads((folder / "gitlab.json").read_text())
        self.gitlab = {(p["project"]["path_with_namespace"], kind, item["iid"]): item
                       for p in gitlab["projects"] for kind in ("merge_requests", "issues") for item in p[kind]}

    def text(self, gold: dict) -> str:
        if gold["source"] == "slack":
            return self.slack.get((gold.get("channel_id"), gold.get("ts")), "")
        if gold["source"] == "backlog":
            issue = self.backlog.get(gold.get("issue_key"), {})
            comment = urlparse(gold["url"]).fragment.removeprefix("comment-")
            for c in issue.get("_comments", []):
                if str(c.get("id")) == comment:
                    return c.get("content") or ""
            return f"{issue.get('summary', '')}\n{issue.get('description') or ''}"
        kind = "merge_requests" if "/merge_requests/" in gold["url"] else "issues"
        item = self.gitlab.get((gold.get("project"), kind, gold.get("iid")), {})
        return f"{item.get('title', '')}\n{item.get('description') or ''}"

    def language(self, gold: dict) -> str:
        from teamlens.language import detect_language

        return detect_language(self.text(gold) or "") or "en"


def matches(hit, gold: dict) -> bool:
    """Whether a search hit is (a chunk of) the gold document. Slack gold is a message: its thread, or the
    channel-day document whose span holds it. Other sources: the same page (any host: the simulators serve
    the demo under local URLs, the ground truth under the team's real ones)."""
    md = hit.metadata
    if gold["source"] == "slack" and "channel_id" in gold:
        if md.get("document_id") == f"slack:thread:{gold['channel_id']}:{gold.get('thread_ts') or gold['ts']}":
            return True
        ts = float(gold["ts"])
        return (str(md.get("document_id", "")).startswith(f"slack:day:{gold['channel_id']}:")
                and float(md.get("span_start_ts", 0)) <= int(ts) <= float(md.get("span_end_ts", 0)))
    want = urlparse(gold["url"]).path.rstrip("/")
    return any(urlparse(u).path.startswith(want) for u in (hit.url, md.get("document_url") or "") if u)


def first_rank(hits, gold: list[dict]) -> int | None:
    for rank, hit in enumerate(hits, 1):
        if any(matches(hit, g) for g in gold):
            return rank
    return None


def evaluate(retriever, questions: list[dict], *, keyword_weight: float | None = None) -> dict:
    from teamlens.retrieval import search as search_mod

    saved = search_mod.KEYWORD_WEIGHT
    if keyword_weight is not None:
        search_mod.KEYWORD_WEIGHT = keyword_weight
    try:
        ranks, latencies, groups = [], [], defaultdict(list)
        for q in questions:
            t0 = time.perf_counter()
            hits = retriever.search(q["question"], k=K)
            latencies.append((time.perf_counter() - t0) * 1000)
            rank = first_rank(hits, q["gold"])
            ranks.append(rank)
            direction = f"{q['language']}→{q.get('source_language', '?')}"
            for group in (q["language"], q["kind"], "all", direction, f"{direction}:{q.get('split', 'dev')}",
                          f"{'same' if q['language'] == q.get('source_language') else 'cross'}:{q.get('split', 'dev')}"):
                groups[group].append(rank)
    finally:
        search_mod.KEYWORD_WEIGHT = saved
    return {"groups": {g: {"recall@5": sum(r is not None for r in rs) / len(rs),
                           "mrr": sum(1 / r for r in rs if r) / len(rs), "n": len(rs)} for g, rs in groups.items()},
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "misses": [q["id"] for q, r in zip(questions, ranks) if r is None]}


def embedders(info: dict):
    """(fast, index): the model host's default embedder (the router, the evidence pre-ranking) and the
    index's, as the stack's Lambdas build them (the index's model is the one the stack's /health reports)."""
    from devstack import api_client
    from teamlens.embeddings import Embedder

    _, health = api_client.call(info, "GET", "/health")
    fast = Embedder(info["model_host_url"])
    name = health.get("index_embedding_model")
    return fast, (Embedder(info["model_host_url"], name) if name else fast)


def retriever_for(info: dict):
    from teamlens.retrieval.search import Retriever
    from teamlens.vectorstore import VectorStore

    index = embedders(info)[1]
    return Retriever(index, VectorStore(info["chroma_url"], index.model))


def main() -> int:
    require_pinned_demo()
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    retriever = retriever_for(info)
    questions = all_questions()
    dense = evaluate(retriever, questions, keyword_weight=0.0)
    hybrid = evaluate(retriever, questions)
    rows = [(g, hybrid["groups"][g]["n"], f"{dense['groups'][g]['recall@5']:.3f}", f"{hybrid['groups'][g]['recall@5']:.3f}",
             f"{dense['groups'][g]['mrr']:.3f}", f"{hybrid['groups'][g]['mrr']:.3f}")
            for g in ("all", "en", "ja", "vi", "fact", "chain", "decision", "cross_language",
                      "same:dev", "cross:dev", "cross:test") if g in hybrid["groups"]]
    print_table(("questions", "n", "recall@5 dense", "recall@5 hybrid", "MRR dense", "MRR hybrid"), rows)
    print("\nrecall@5 (hybrid) per direction, question language → source language; n in brackets")

    def cell(group: str) -> str:
        got = hybrid["groups"].get(group)
        return f"{got['recall@5']:.2f} ({got['n']})" if got else "–"

    print_table(("direction", "dev", "test", "all"),
                [(f"{q}→{src}", cell(f"{q}→{src}:dev"), cell(f"{q}→{src}:test"), cell(f"{q}→{src}"))
                 for q in LANGUAGES for src in LANGUAGES])
    print(f"\nsearch latency (embed + 3 collections + rerank): p50 {hybrid['p50_ms']:.1f} ms, p95 {hybrid['p95_ms']:.1f} ms")
    print(f"misses ({len(hybrid['misses'])}): {', '.join(hybrid['misses'][:15])}")
    write_results("retrieval", {"k": K, "dense": dense, "hybrid": hybrid})
    return 0


if __name__ == "__main__":
    sys.exit(main())
