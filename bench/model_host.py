"""Model host figures on this machine, next to the seed's CPU figures, through the real HTTP API.

    .venv/bin/python -m bench.model_host              # starts its own model host on a free port
    .venv/bin/python -m bench.model_host --url http://127.0.0.1:8002   # or measures a running one

Embeddings: docs/s for 1,000 short docs in one request (batched), single-query latency p50/p95.
Chat: time to first token and tokens/s for a 100-token streamed answer. RSS of the server. Also the
cross-language check (Japanese/Vietnamese sentence -> its English translation among 20).
Prints a table and writes bench/results/model_host.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "model_host.json"
TRIPLES = ROOT / "model_host" / "data" / "translation_triples.json"

# The seed's figures on CPU, as stated in the brief.
SEED_MS_PER_DOC = 200.0
SEED_S_PER_100_TOKENS = (5.0, 10.0)
TARGETS = {"docs_per_s": 150.0, "query_p50_ms": 20.0, "answer_100_tokens_s": 3.0}

TOPICS = ["deploy", "login page", "payment service", "search index", "release notes", "API keys", "invoice PDF",
          "unit tests", "cache", "dashboard", "migration", "mobile app", "backlog", "Slack bot", "database"]


def short_docs(n: int) -> list[str]:
    return [f"Issue {i}: the {TOPICS[i % len(TOPICS)]} fails after update {i % 13} on {['Monday', 'Friday'][i % 2]}"
            for i in range(n)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def bench_embeddings(client: httpx.Client, docs: int, queries: int) -> dict:
    texts = short_docs(docs)
    client.post("/v1/embeddings", json={"input": texts[:64]}).raise_for_status()  # warm up
    runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        r = client.post("/v1/embeddings", json={"input": texts, "encoding_format": "base64"})
        runs.append(time.perf_counter() - t0)
        r.raise_for_status()
    best = min(runs)
    lat = []
    for i in range(queries):
        t0 = time.perf_counter()
        client.post("/v1/embeddings", json={"input": f"how do I fix the {TOPICS[i % len(TOPICS)]} problem?"}
                    ).raise_for_status()
        lat.append((time.perf_counter() - t0) * 1000)
    return {"docs": docs, "docs_seconds": round(best, 2), "docs_per_s": round(docs / best, 1),
            "ms_per_doc": round(best * 1000 / docs, 2), "query_p50_ms": round(statistics.median(lat), 1),
            "query_p95_ms": round(percentile(lat, 95), 1), "queries": queries}


def stream_answer(client: httpx.Client, max_tokens: int) -> dict:
    body = {"messages": [{"role": "user", "content": "Explain in detail how a team should review merge requests, "
                                                     "with many concrete tips."}],
            "max_tokens": max_tokens, "temperature": 0.7, "seed": 7, "stream": True,
            "stream_options": {"include_usage": True}}
    t0 = time.perf_counter()
    first = None
    usage = {}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                usage = chunk["usage"]
            if first is None and chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    tokens = usage.get("completion_tokens", 0)
    return {"completion_tokens": tokens, "prompt_tokens": usage.get("prompt_tokens", 0),
            "first_token_s": round(first or 0.0, 3), "total_s": round(total, 2),
            "tokens_per_s": round((tokens - 1) / (total - first), 1) if first and tokens > 1 else 0.0}


def bench_chat(client: httpx.Client, runs: int) -> dict:
    stream_answer(client, 8)  # warm up
    results = [stream_answer(client, 100) for _ in range(runs)]
    best = min(results, key=lambda r: r["total_s"])
    return {**best, "runs": runs, "total_s_all": [r["total_s"] for r in results],
            "seconds_per_100_tokens": round(best["total_s"] * 100 / max(best["completion_tokens"], 1), 2)}


def bench_routing(client: httpx.Client) -> dict:
    schema = {"type": "object", "properties": {
        "intent": {"type": "string", "enum": ["search", "summarize_slack", "review_mr", "report"]},
        "channel": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "required": ["intent", "channel"], "additionalProperties": False}
    prompts = ["Summarize yesterday's discussion in #backend", "MR !42 をレビューしてください",
               "Tìm các issue liên quan đến lỗi thanh toán", "Post the weekly report to #team"]
    times = []
    for p in prompts:
        t0 = time.perf_counter()
        client.post("/v1/chat/completions", json={
            "messages": [{"role": "user", "content": p}], "temperature": 0,
            "response_format": {"type": "json_schema", "json_schema": {"name": "route", "schema": schema}}}
        ).raise_for_status()
        times.append(time.perf_counter() - t0)
    return {"requests": len(prompts), "median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2)}


def cross_language(client: httpx.Client) -> dict:
    data = json.loads(TRIPLES.read_text(encoding="utf-8"))

    def embed(texts: list[str]) -> list[list[float]]:
        return [d["embedding"] for d in client.post("/v1/embeddings", json={"input": texts}).json()["data"]]

    def dot(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b))

    en = embed([t["en"] for t in data["triples"]])
    unrelated = embed(data["unrelated_en"])
    out = {}
    for lang in ("ja", "vi"):
        other = embed([t[lang] for t in data["triples"]])
        pair = [dot(o, e) for o, e in zip(other, en)]
        unrel = [max(dot(o, u) for u in unrelated) for o in other]
        hits = sum(max(range(len(en)), key=lambda j: dot(o, en[j])) == i for i, o in enumerate(other))
        out[lang] = {"recall_at_1": f"{hits}/{len(en)}", "mean_translation_cos": round(statistics.mean(pair), 3),
                     "mean_best_unrelated_cos": round(statistics.mean(unrel), 3),
                     "pairs_nearer_than_unrelated": f"{sum(p > u for p, u in zip(pair, unrel))}/{len(pair)}"}
    return out


@contextmanager
def model_host(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    from devstack import model_host as mh
    from devstack.processes import Service, stop

    service = Service("model-host-bench")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mh.ensure_installed()
    stop(service)
    mh.start(port, service=service)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(service)


def table(r: dict) -> str:
    e, c = r["embeddings"], r["chat"]
    seed_lo, seed_hi = SEED_S_PER_100_TOKENS
    rows = [
        ("embedding, 1,000 short docs", f"{e['docs_per_s']:.0f} docs/s ({e['ms_per_doc']:.1f} ms/doc)",
         f"{1000 / SEED_MS_PER_DOC:.0f} docs/s ({SEED_MS_PER_DOC:.0f} ms/doc)", f">= {TARGETS['docs_per_s']:.0f} docs/s"),
        ("embedding, single query p50", f"{e['query_p50_ms']:.1f} ms (p95 {e['query_p95_ms']:.1f})",
         f"{SEED_MS_PER_DOC:.0f} ms", f"<= {TARGETS['query_p50_ms']:.0f} ms"),
        ("chat, time to first token", f"{c['first_token_s']:.2f} s", "-", "-"),
        ("chat, decode speed", f"{c['tokens_per_s']:.1f} tokens/s", f"{100 / seed_hi:.0f}-{100 / seed_lo:.0f} tokens/s", "-"),
        ("chat, 100-token answer", f"{c['seconds_per_100_tokens']:.2f} s", f"{seed_lo:.0f}-{seed_hi:.0f} s",
         f"<= {TARGETS['answer_100_tokens_s']:.0f} s"),
        ("chat, JSON-schema routing (median)", f"{r['routing']['median_s']:.2f} s", "-", "-"),
        ("server RSS (both models)", f"{r['rss_mb']:.0f} MB", "-", "-"),
    ]
    widths = [max(len(row[i]) for row in rows + [("what", "teamlens model host", "seed (CPU)", "target")])
              for i in range(4)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    out = [line(("what", "teamlens model host", "seed (CPU)", "target")), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    for lang, x in r["cross_language"].items():
        out.append(f"cross-language {lang}->en: recall@1 {x['recall_at_1']}, translation cos {x['mean_translation_cos']} "
                   f"vs best unrelated {x['mean_best_unrelated_cos']} ({x['pairs_nearer_than_unrelated']} pairs nearer)")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running model host (default: start one)")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--chat-runs", type=int, default=3)
    args = parser.parse_args()
    with model_host(args.url) as url, httpx.Client(base_url=url, timeout=600) as client:
        health = client.get("/health").json()
        result = {
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "models": {"embedding": health["embedding_model"], "dimension": health["embedding_dimension"],
                       "chat": health["chat_model"]},
            "embeddings": bench_embeddings(client, args.docs, args.queries),
            "chat": bench_chat(client, args.chat_runs),
            "routing": bench_routing(client),
            "cross_language": cross_language(client),
            "rss_mb": client.get("/metrics").json()["rss_mb"],
            "seed": {"ms_per_doc": SEED_MS_PER_DOC, "s_per_100_tokens": list(SEED_S_PER_100_TOKENS)},
            "targets": TARGETS,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    print(table(result))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
