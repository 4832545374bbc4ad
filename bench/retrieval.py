"""Retrieval quality on the labelled questions (tests/data/retrieval_questions.jsonl) over a running stack's
index (`make up`): recall@5 and MRR, per language and kind, dense-only against hybrid; plus search latency.

    .venv/bin/python -m bench.retrieval      (prints a table, writes bench/results/retrieval.json)
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

from bench.table import ROOT, percentile, print_table, write_results

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.jsonl"
K = 5


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


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
            for group in (q["language"], q["kind"], "all"):
                groups[group].append(rank)
    finally:
        search_mod.KEYWORD_WEIGHT = saved
    return {"groups": {g: {"recall@5": sum(r is not None for r in rs) / len(rs),
                           "mrr": sum(1 / r for r in rs if r) / len(rs), "n": len(rs)} for g, rs in groups.items()},
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "misses": [q["id"] for q, r in zip(questions, ranks) if r is None]}


def retriever_for(info: dict):
    from teamlens.embeddings import Embedder
    from teamlens.retrieval.search import Retriever
    from teamlens.vectorstore import VectorStore

    embedder = Embedder(info["model_host_url"])
    return Retriever(embedder, VectorStore(info["chroma_url"], embedder.model))


def main() -> int:
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    retriever = retriever_for(info)
    questions = load_questions()
    dense = evaluate(retriever, questions, keyword_weight=0.0)
    hybrid = evaluate(retriever, questions)
    rows = [(g, hybrid["groups"][g]["n"], f"{dense['groups'][g]['recall@5']:.3f}", f"{hybrid['groups'][g]['recall@5']:.3f}",
             f"{dense['groups'][g]['mrr']:.3f}", f"{hybrid['groups'][g]['mrr']:.3f}")
            for g in ("all", "en", "ja", "vi", "fact", "chain", "decision") if g in hybrid["groups"]]
    print_table(("questions", "n", "recall@5 dense", "recall@5 hybrid", "MRR dense", "MRR hybrid"), rows)
    print(f"\nsearch latency (embed + 3 collections + rerank): p50 {hybrid['p50_ms']:.1f} ms, p95 {hybrid['p95_ms']:.1f} ms")
    print(f"misses ({len(hybrid['misses'])}): {', '.join(hybrid['misses'][:15])}")
    write_results("retrieval", {"k": K, "dense": dense, "hybrid": hybrid})
    return 0


if __name__ == "__main__":
    sys.exit(main())
