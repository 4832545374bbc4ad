"""The model host's entrypoint in an ECS task (model_host/Dockerfile, Dockerfile.cuda).

1. Copies the weights from `MODEL_WEIGHTS_S3_URI` (s3://bucket/prefix/, the layout of `.state/models`)
   into `MODEL_HOST_MODELS_DIR`: no model hub at run time. Files already there with the same size are kept.
2. Starts the host (`python -m model_host`) and forwards SIGTERM/SIGINT to it.
3. Every `TEAMLENS_METRICS_INTERVAL_S` (60) reads the host's own `GET /metrics` and prints its queue depth
   as one CloudWatch embedded-metric-format (EMF) line on stdout. The task's awslogs driver ships it and
   CloudWatch turns it into the `QueueDepth` metric the service's target tracking scales on: no
   PutMetricData permission, no agent sidecar, one log line a minute.

Without `MODEL_WEIGHTS_S3_URI` it skips step 1; without `TEAMLENS_METRICS_NAMESPACE`, step 3.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Any

QUEUE_KEYS = ("chat_waiting", "embedding_waiting", "index_embedding_waiting")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """s3://bucket/prefix -> (bucket, "prefix/"); the prefix always ends with "/" (or is empty)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"MODEL_WEIGHTS_S3_URI must start with s3://, got {uri!r}")
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    if not bucket:
        raise ValueError(f"MODEL_WEIGHTS_S3_URI names no bucket: {uri!r}")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def local_path(dest: Path, prefix: str, key: str) -> Path | None:
    """Where an object under the prefix goes; None for folder markers and keys that would leave dest."""
    relative = PurePosixPath(key[len(prefix):])
    if not relative.parts or key.endswith("/") or ".." in relative.parts or relative.is_absolute():
        return None
    return dest.joinpath(*relative.parts)


def sync_weights(s3: Any, uri: str, dest: Path) -> int:
    """Download every object under the URI into dest (kept when present with the same size); the count."""
    bucket, prefix = parse_s3_uri(uri)
    copied = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            target = local_path(dest, prefix, obj["Key"])
            if target is None or (target.is_file() and target.stat().st_size == obj["Size"]):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            s3.download_file(bucket, obj["Key"], str(partial))
            partial.replace(target)
            copied += 1
    return copied


def queue_depth(snapshot: dict) -> int:
    """Requests waiting in the host: chat requests for a slot, embedding texts for a batch."""
    queue = snapshot.get("queue") or {}
    return sum(int(queue.get(key) or 0) for key in QUEUE_KEYS)


def emf_line(snapshot: dict, *, namespace: str, service: str, now_ms: int) -> str:
    """One CloudWatch embedded-metric-format record: QueueDepth (and ChatRunning) by Service."""
    queue = snapshot.get("queue") or {}
    return json.dumps({
        "_aws": {"Timestamp": now_ms, "CloudWatchMetrics": [{
            "Namespace": namespace, "Dimensions": [["Service"]],
            "Metrics": [{"Name": "QueueDepth", "Unit": "Count"}, {"Name": "ChatRunning", "Unit": "Count"}]}]},
        "Service": service,
        "QueueDepth": queue_depth(snapshot),
        "ChatRunning": int(queue.get("chat_running") or 0),
    }, separators=(",", ":"))


def read_metrics(port: int, timeout: float = 5.0) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as resp:
            return json.loads(resp.read())
    except (OSError, ValueError):
        return None  # still starting, or restarting: no data point rather than a wrong one


def main() -> int:
    uri = os.environ.get("MODEL_WEIGHTS_S3_URI", "")
    if uri:
        import boto3

        dest = Path(os.environ.get("MODEL_HOST_MODELS_DIR", "/models"))
        started = time.monotonic()
        copied = sync_weights(boto3.client("s3"), uri, dest)
        print(f"weights: {copied} files from {uri} to {dest} in {time.monotonic() - started:.0f} s", flush=True)

    host = subprocess.Popen([sys.executable, "-m", "model_host"])
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: host.send_signal(signum))
    namespace = os.environ.get("TEAMLENS_METRICS_NAMESPACE", "")
    service = os.environ.get("TEAMLENS_METRICS_SERVICE", "model-host")
    port = int(os.environ.get("MODEL_HOST_PORT", "8002"))
    interval = float(os.environ.get("TEAMLENS_METRICS_INTERVAL_S", "60"))
    while True:
        try:
            return host.wait(timeout=interval)
        except subprocess.TimeoutExpired:
            pass
        if namespace and (snapshot := read_metrics(port)) is not None:
            print(emf_line(snapshot, namespace=namespace, service=service, now_ms=int(time.time() * 1000)),
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
