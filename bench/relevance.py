"""Where "not found" starts: the relevance floor of /ask, fitted on the dev split and reported on the test
split, on a running stack (`make up`).

For every labelled question (answerable: tests/data/retrieval_questions.jsonl and the cross-language set;
unanswerable: tests/data/unanswerable_questions.jsonl, written independently of the code), the retriever's
candidates as /ask sees them: the best chunk's cosine (`dense`, by the index's model), the language of that
chunk and of the question, how far the best stands out from the rest of the top 8, and the index model's
score of the first evidence sentence as /ask picks it (e5 pre-ranks, the index's model orders again). Each
rule below gets the threshold(s) that refuse the most unanswerable dev questions while keeping every one of
the answerable dev questions; the table shows what that does on the test split, which no threshold saw.

    .venv/bin/python -m bench.relevance      (prints a table, writes bench/results/relevance.json)
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence

from bench.table import ROOT, print_table, require_pinned_demo, write_results

KEEP = 1.0  # answerable dev questions that must stay above the floor: the model judges the rest
SETS = {"answerable": ("retrieval_questions.jsonl", "cross_language_questions.jsonl"),
        "unanswerable": ("unanswerable_questions.jsonl",)}


def load(kind: str) -> list[dict]:
    rows = []
    for name in SETS[kind]:
        for line in (ROOT / "tests" / "data" / name).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                q = json.loads(line)
                if kind == "unanswerable" and q.get("kind") != "unanswerable":
                    continue  # off-topic small talk is the router's (help), not the floor's
                rows.append({**q, "answerable": kind == "answerable", "split": q.get("split", "dev")})
    return rows


def features(retriever, fast, rescorer, q: dict) -> dict:
    from teamlens.ask import evidence
    from teamlens.ask.prompts import pack_sources
    from teamlens.ask.service import CONTEXT_TOKENS, EVIDENCE_SENTENCES, MAX_SOURCES

    hits = retriever.search(q["question"], k=8)
    dense = sorted((h.dense for h in hits), reverse=True)
    top = max(hits, key=lambda h: h.dense) if hits else None
    row = {"id": q["id"], "answerable": q["answerable"], "split": q["split"], "language": q["language"],
           "top": dense[0] if dense else 0.0,
           "margin": dense[0] - sum(dense[1:]) / max(1, len(dense) - 1) if len(dense) > 1 else 0.0,
           "hit_language": (top.metadata.get("language") if top else None) or "?"}
    if rescorer is not None:  # the re-scorer's cosine of the first evidence sentence, as /ask picks it
        sources = pack_sources(hits, CONTEXT_TOKENS, max_sources=MAX_SOURCES)
        picked = evidence.select(q["question"], sources, fast, top=EVIDENCE_SENTENCES,
                                 rescorer=rescorer)
        row["sentence"] = picked[0].score if picked else 0.0
    return row


def floor_for(values_kept: Sequence[float], keep: float = KEEP) -> float:
    """The highest threshold that keeps `keep` of these values at or above it."""
    ordered = sorted(values_kept)
    drop = int(len(ordered) * (1 - keep))
    return ordered[drop] if ordered else 0.0


def fit(rows: list[dict], key: Callable[[dict], str], value: str) -> dict[str, float]:
    """One threshold per group (`key`), each keeping KEEP of the group's answerable dev questions."""
    groups: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r["answerable"] and r["split"] == "dev":
            groups[key(r)].append(r[value])
    return {g: floor_for(v) for g, v in groups.items()}


def score(rows: list[dict], rule: Callable[[dict], bool]) -> dict:
    """Per split: answerable kept above the floor, unanswerable refused."""
    out = {}
    for split in ("dev", "test"):
        ans = [rule(r) for r in rows if r["answerable"] and r["split"] == split]
        una = [not rule(r) for r in rows if not r["answerable"] and r["split"] == split]
        out[split] = {"answerable_kept": sum(ans) / len(ans) if ans else None,
                      "unanswerable_refused": sum(una) / len(una) if una else None, "n": (len(ans), len(una))}
    return out


def main() -> int:
    require_pinned_demo()
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    from bench.retrieval import embedders, retriever_for

    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    retriever = retriever_for(info)
    fast, index = embedders(info)
    rescorer = index if index is not fast else None  # as /ask re-scores its evidence
    rows = [features(retriever, fast, rescorer, q) for kind in SETS for q in load(kind)]

    def everyone(r: dict) -> str:
        return "all"

    def pair(r: dict) -> str:
        return f"{r['language']}→{r['hit_language']}"

    rules: dict[str, tuple[dict[str, float], str, Callable[[dict], str]]] = {
        "dense floor, one for all": (fit(rows, everyone, "top"), "top", everyone),
        "dense floor per question→hit language": (fit(rows, pair, "top"), "top", pair),
        "margin floor, one for all": (fit(rows, everyone, "margin"), "margin", everyone),
    }
    if rescorer is not None:
        rules["re-scored first sentence floor, one for all"] = (fit(rows, everyone, "sentence"), "sentence", everyone)
        rules["re-scored first sentence floor per language"] = (
            fit(rows, lambda r: r["language"], "sentence"), "sentence", lambda r: r["language"])
    current = score(rows, lambda r: r["top"] >= 0.80)
    table = [("current: dense >= 0.80", *cells(current))]
    results = {"current_0.80": current}
    for name, (floors, value, key) in rules.items():
        got = score(rows, lambda r, floors=floors, value=value, key=key: r[value] >= floors.get(key(r), min(floors.values())))
        results[name] = {**got, "floors": {k: round(v, 4) for k, v in floors.items()}}
        table.append((name, *cells(got)))
    print_table(("rule (fitted on dev)", "answerable kept dev", "test", "unanswerable refused dev", "test"), table)
    for name, (floors, _, _) in rules.items():
        print(f"{name}: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(floors.items())))
    write_results("relevance", {"keep": KEEP, "rules": results, "rows": rows})
    return 0


def cells(got: dict) -> list[str]:
    def pct(x: float | None) -> str:
        return "–" if x is None else f"{x:.2f}"
    return [pct(got["dev"]["answerable_kept"]), pct(got["test"]["answerable_kept"]),
            pct(got["dev"]["unanswerable_refused"]), pct(got["test"]["unanswerable_refused"])]


if __name__ == "__main__":
    sys.exit(main())
