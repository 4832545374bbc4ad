"""The fact that answers, first: /ask's evidence step run in process on a running stack's index (`make up`),
over every labelled question with answer keywords (the planted facts, all dev: the evidence weights were set
while they were written; the cross-language set, dev and test apart). For each question: whether the packed
sources hold an answer keyword at all (the ceiling), whether evidence fact 1 holds it (what a small model
restates), and whether any of the facts shown does.

Each selector is the same code (`teamlens.ask.evidence.select`): ranked by the index's embedder
(multilingual-e5-small) alone, or its best RESCORE_POOL sentences ranked again by the re-scorer
(EmbeddingGemma-300m); with and without the hand-set bonuses.

    .venv/bin/python -m bench.evidence      (prints a table, writes bench/results/evidence.json)
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from contextlib import contextmanager

from bench.ask import states
from bench.table import ROOT, percentile, print_table, require_pinned_demo, write_results

LANGUAGES = ("en", "ja", "vi")


def keyed_questions() -> list[dict]:
    from bench.retrieval import all_questions

    return [q for q in all_questions() if q.get("answer_keywords")]


def holds(text: str, keywords: list[str]) -> bool:
    return any(states(text, k) for k in keywords)


@contextmanager
def without_bonuses():
    """The selector with its hand-set weights (answer type, keywords, language, rank) at zero."""
    from teamlens.ask import evidence

    names = ("KEYWORD_WEIGHT", "ANSWER_TYPE_WEIGHT", "RANK_WEIGHT", "LANGUAGE_WEIGHT")
    saved = {n: getattr(evidence, n) for n in names}
    for n in names:
        setattr(evidence, n, 0.0)
    try:
        yield
    finally:
        for n, v in saved.items():
            setattr(evidence, n, v)


def main() -> int:
    require_pinned_demo()
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    from bench.retrieval import embedders, retriever_for
    from teamlens.ask import evidence
    from teamlens.ask.prompts import pack_sources
    from teamlens.ask.service import CONTEXT_TOKENS, EVIDENCE_SENTENCES, MAX_SOURCES

    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    retriever = retriever_for(info)
    fast, index = embedders(info)
    scorers = {f"{fast.model}": None}
    if index is not fast:
        scorers[f"then {index.model}"] = index
    variants = [(name, False) for name in scorers] + [(name, True) for name in scorers]

    questions = keyed_questions()
    packed = []
    for q in questions:
        hits = retriever.search(q["question"], k=8)
        packed.append(pack_sources(hits, CONTEXT_TOKENS, max_sources=MAX_SOURCES))
    results: dict[str, dict] = {}
    for name, plain in variants:
        label = f"{name}{' without bonuses' if plain else ''}"
        groups: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
        latencies = []
        with (without_bonuses() if plain else _nothing()):
            for q, sources in zip(questions, packed):
                t0 = time.perf_counter()
                picked = evidence.select(q["question"], sources, fast, top=EVIDENCE_SENTENCES,
                                         rescorer=scorers[name])
                latencies.append((time.perf_counter() - t0) * 1000)
                kw = q["answer_keywords"]
                ceiling = any(holds(s.passage.text, kw) for s in sources)
                row = (ceiling, bool(picked) and holds(picked[0].text, kw), any(holds(p.text, kw) for p in picked))
                direction = "same" if q["language"] == q["source_language"] else "cross"
                for g in (f"{q['kind']}:{q['language']}", f"{direction}:{q.get('split', 'dev')}",
                          f"{direction}:{q.get('split', 'dev')}:{q['language']}", "all"):
                    groups[g].append(row)
        results[label] = {"groups": {g: {"n": len(v), "in_sources": _share(v, 0), "fact1": _share(v, 1),
                                         "in_facts": _share(v, 2)} for g, v in groups.items()},
                          "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1)}
    order = sorted(next(iter(results.values()))["groups"])
    print_table(("questions", "n", "answer in sources", *(f"fact 1: {label}" for label in results)),
                [(g, results[next(iter(results))]["groups"][g]["n"],
                  f"{results[next(iter(results))]['groups'][g]['in_sources']:.2f}",
                  *(f"{r['groups'][g]['fact1']:.2f}" for r in results.values())) for g in order])
    print()
    print_table(("selector", "p50 ms", "p95 ms"), [(label, r["p50_ms"], r["p95_ms"]) for label, r in results.items()])
    write_results("evidence", {"questions": len(questions), "selectors": results})
    return 0


@contextmanager
def _nothing():
    yield


def _share(rows: list[tuple[bool, ...]], i: int) -> float:
    return round(sum(r[i] for r in rows) / len(rows), 3) if rows else 0.0


if __name__ == "__main__":
    sys.exit(main())
