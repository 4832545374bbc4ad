"""Vector search latency through the chroma client against the ChromaDB server of a running stack: p50/p95 of
a top-8 query at 1K and 100K chunks, with and without a metadata filter. Synthetic normalized 384-d vectors
(the embedding model's dimension) with realistic metadata, in throwaway `bench_vs_*` collections that are
deleted afterwards (the `teamlens_*` index is never touched).

    .venv/bin/python -m bench.vector_search [--sizes 1000 100000] [--queries 200]
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from bench.table import ROOT, percentile, print_table, write_results

DIM = 384
CHANNELS = ["release", "qa-bugs", "dev-frontend", "backend", "general", "daily-standup", "ops", "random"]


def build(client, size: int, rng: np.random.Generator):
    name = f"bench_vs_{size}"
    try:
        client.delete_collection(name)
    except Exception:  # noqa: BLE001, S110 - not there
        pass
    col = client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
    t0 = time.perf_counter()
    for start in range(0, size, 5000):
        n = min(5000, size - start)
        vecs = rng.standard_normal((n, DIM)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        col.add(ids=[f"c{start + i}" for i in range(n)], embeddings=vecs.tolist(),
                documents=[f"chunk {start + i}" for i in range(n)],
                metadatas=[{"channel": CHANNELS[(start + i) % len(CHANNELS)], "source": "slack",
                            "updated_ts": 1790000000 + start + i} for i in range(n)])
    return col, time.perf_counter() - t0


def timed_queries(col, rng: np.random.Generator, queries: int, where: dict | None) -> list[float]:
    out = []
    for _ in range(queries):
        q = rng.standard_normal(DIM).astype(np.float32)
        q /= np.linalg.norm(q)
        t0 = time.perf_counter()
        col.query(query_embeddings=[q.tolist()], n_results=8, where=where, include=["documents", "metadatas", "distances"])
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    import chromadb

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    host, port = info["chroma_url"].removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    rng = np.random.default_rng(7)
    rows, result = [], {}
    for size in args.sizes:
        col, build_s = build(client, size, rng)
        try:
            timed_queries(col, rng, 10, None)  # warm the index
            plain = timed_queries(col, rng, args.queries, None)
            filtered = timed_queries(col, rng, args.queries, {"channel": "release"})
        finally:
            client.delete_collection(col.name)
        target = "<= 10 ms" if size <= 1000 else "<= 30 ms"
        rows += [(f"{size:,} chunks", f"{percentile(plain, 50):.1f}", f"{percentile(plain, 95):.1f}", target),
                 (f"{size:,} chunks, channel filter", f"{percentile(filtered, 50):.1f}", f"{percentile(filtered, 95):.1f}", "")]
        result[str(size)] = {"build_s": round(build_s, 1), "p50_ms": round(percentile(plain, 50), 2),
                             "p95_ms": round(percentile(plain, 95), 2), "filtered_p50_ms": round(percentile(filtered, 50), 2),
                             "filtered_p95_ms": round(percentile(filtered, 95), 2)}
    print_table(("top-8 query", "p50 ms", "p95 ms", "target"), rows)
    write_results("vector_search", {"dimension": DIM, "queries": args.queries, "sizes": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
