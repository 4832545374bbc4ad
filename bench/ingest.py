"""Ingestion figures on a running stack (`make up`): a full ingest of the demo workspace from scratch,
an incremental run with no changes, chunks/s, and what the raw data in S3 weighs. The full run is split
into its phases (fetch per source, index) from the run's state records, and the model host's own
counters say how much of the index phase was spent encoding, which is what bounds it on a CPU.

    .venv/bin/python -m bench.ingest        (prints a table, writes bench/results/ingest.json)

"From scratch" clears this stack's cursors, raw objects and collections first (the dev stack only).
"""
from __future__ import annotations

import json
import sys
import time
import urllib.request
from datetime import datetime

from bench.table import ROOT, print_table, write_results
from devstack import api_client
from devstack.deploy import client

SOURCES = ("gitlab", "slack", "backlog")


def reset(info: dict) -> None:
    endpoint, out = info["endpoint"], info["outputs"]
    ddb, s3 = client("dynamodb", endpoint), client("s3", endpoint)
    for source in SOURCES:
        ddb.delete_item(TableName=out["IngestionStateTable"],
                        Key={"pk": {"S": f"cursor#{source}"}, "sk": {"S": "cursor"}})
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=out["RawBucket"]):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=out["RawBucket"], Delete={"Objects": keys})
    import chromadb

    host, port = info["chroma_url"].removeprefix("http://").split(":")
    chroma = chromadb.HttpClient(host=host, port=int(port))
    for source in SOURCES:
        try:
            chroma.delete_collection(f"teamlens_{source}")
        except Exception:  # noqa: BLE001, S110 - not there yet
            pass


def timed_ingest(info: dict) -> tuple[float, dict]:
    t0 = time.time()
    run = api_client.ingest_and_wait(info)
    elapsed = time.time() - t0
    if run["status"] != "SUCCEEDED" or any(s["status"] != "indexed" for s in run["sources"]):
        sys.exit(f"ingestion did not succeed: {json.dumps(run)[:2000]}")
    return elapsed, run


def model_host_embeddings(info: dict) -> dict:
    with urllib.request.urlopen(info["model_host_url"].rstrip("/") + "/metrics", timeout=10) as r:
        return json.load(r)["embeddings"]


def phases(info: dict, run_id: str) -> dict:
    """Seconds per phase from the state records: fetch of each source, and index (first fetch done →
    last source indexed; the sources overlap)."""
    items = client("dynamodb", info["endpoint"]).query(
        TableName=info["outputs"]["IngestionStateTable"], KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"run#{run_id}"}})["Items"]
    def at(item: dict, k: str) -> float:
        return datetime.fromisoformat(item[k]["S"]).timestamp()

    return {"fetch_s": {i["source"]["S"]: round(at(i, "fetched_at") - at(i, "started_at"), 1) for i in items},
            "index_s": round(max(at(i, "indexed_at") for i in items) - min(at(i, "fetched_at") for i in items), 1)}


def s3_size(info: dict) -> tuple[int, int]:
    s3 = client("s3", info["endpoint"])
    count = size = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=info["outputs"]["RawBucket"], Prefix="raw/"):
        for o in page.get("Contents", []):
            count, size = count + 1, size + o["Size"]
    return count, size


def main() -> int:
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    reset(info)
    before = model_host_embeddings(info)
    full_s, run = timed_ingest(info)
    after = model_host_embeddings(info)
    chunks = sum(s["counts"].get("indexed_chunks", 0) for s in run["sources"])
    split = phases(info, run["run_id"])
    encoded = after["texts"] - before["texts"]
    encoding_s = after["encoding_s"] - before["encoding_s"]
    again_s, again = timed_ingest(info)
    changed_again = sum(s["counts"].get("changed", 0) for s in again["sources"])
    objects, size = s3_size(info)
    rows = [
        ("full ingest of the demo workspace (end to end)", f"{full_s:.1f} s", "<= 60 s"),
        ("chunks embedded and indexed", f"{chunks}", ""),
        ("chunks/s (end to end)", f"{chunks / full_s:.1f}", ">= 100"),
        ("  fetch, per source (parallel)", ", ".join(f"{k} {v} s" for k, v in split["fetch_s"].items()), ""),
        ("  index, all sources (parallel)", f"{split['index_s']} s", ""),
        ("  of which the model host encoding", (f"{encoding_s:.1f} s for {encoded} texts "
                                                f"({encoded / max(encoding_s, 1e-9):.1f} texts/s)"), ""),
        ("incremental run, no changes", f"{again_s:.1f} s ({changed_again} changed)", "<= 5 s"),
        ("raw objects in S3", f"{objects} ({size / 1e6:.1f} MB)", ""),
    ]
    print_table(("measure", "value", "target"), rows)
    write_results("ingest", {"full_ingest_s": round(full_s, 1), "chunks": chunks,
                             "chunks_per_s": round(chunks / full_s, 1), "incremental_s": round(again_s, 1),
                             "raw_objects": objects, "raw_bytes": size, "phases_s": split,
                             "encoding_s": round(encoding_s, 1), "encoded_texts": encoded})
    return 0


if __name__ == "__main__":
    sys.exit(main())
