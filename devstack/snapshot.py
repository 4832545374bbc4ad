"""What users made survives a LocalStack restart: the launcher snapshots the stack's tables and raw data
into the instance's state folder and restores them into a freshly started LocalStack after the deploy.

Community LocalStack keeps everything in memory (its persistence is a Pro feature; the hooks are there, the
implementation is not), so the launcher does it, through the same APIs a client uses:
- DynamoDB: every item of the conversations (turns, jobs), ingestion state (cursors, runs, pending marks)
  and idempotency tables, scanned into one JSON-lines file per table;
- S3: the raw data bucket (raw objects, manifests), mirrored object by object, copying only what changed
  (by ETag) since the last snapshot.
Secrets are not snapshotted: locally they come from `.env` at every deploy.

A snapshot is taken every `TEAMLENS_SNAPSHOT_S` seconds by a small background process (`make up` starts
it), and once more by `make down`. So a crash (LocalStack killed, the machine rebooted) loses at most what
was written in the last interval plus one snapshot's duration; a clean `make down` loses nothing.
A snapshot is written only from a LocalStack whose state was restored (or that started with nothing to
restore), so an empty LocalStack can never overwrite the last good snapshot.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from devstack import paths
from devstack.config import setting
from devstack.deploy import client, outputs
from devstack.processes import Service, start

SERVICE = Service("snapshotter")

TABLES = ("ConversationsTable", "IngestionStateTable", "IdempotencyTable")  # stack output names
BUCKETS = ("RawBucket",)
INTERVAL_S = 30.0
CUT_MARGIN_S = 2.0  # S3's last-modified times against the snapshot's clock


def snapshot_dir() -> Path:
    return paths.STATE / "snapshot"


def restored_marker() -> Path:
    # In LocalStack's instance folder, which is wiped when LocalStack starts: a new process is unrestored.
    return paths.STATE / "localstack" / "restored"


@dataclass
class Counts:
    items: dict[str, int] = field(default_factory=dict)  # per table output name
    objects: dict[str, int] = field(default_factory=dict)  # per bucket output name
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"items": self.items, "objects": self.objects, "seconds": round(self.seconds, 2)}


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file of this writer's own, then rename it over `path`. Its own: the snapshotter
    and a `save` called meanwhile (a test, `make down`) write the same files, and with one shared temporary
    name their bytes interleaved into a file that no longer parsed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save(endpoint: str, dest: Path | None = None) -> Counts:
    """Write the stack's tables and buckets under `dest` (the instance's snapshot folder).

    Tables first, then objects no newer than the moment the table scans ended (`cut`): restored, the
    cursors are never ahead of the raw data, so whatever a crash cut off is fetched again. An object
    written again after the cut keeps its previous copy in the snapshot until the next one."""
    t0 = time.time()
    dest = dest or snapshot_dir()
    out = outputs(endpoint)
    counts = Counts()
    ddb = client("dynamodb", endpoint)
    for name in TABLES:
        if name not in out:
            continue
        items = [item for page in ddb.get_paginator("scan").paginate(TableName=out[name], ConsistentRead=True)
                 for item in page["Items"]]
        _atomic_write(dest / "tables" / f"{name}.jsonl",
                      "".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in items).encode())
        counts.items[name] = len(items)
    cut = time.time()
    s3 = client("s3", endpoint)
    for name in BUCKETS:
        counts.objects[name] = _mirror_bucket(s3, out[name], dest / "buckets" / name, cut)
    counts.seconds = time.time() - t0
    _atomic_write(dest / "snapshot.json",
                  json.dumps({"saved_at": time.time(), "cut": cut, **counts.as_dict()}).encode())
    return counts


def _mirror_bucket(s3, bucket: str, folder: Path, cut: float) -> int:
    """Copy new and changed objects (by ETag) written before `cut` into `folder/objects/<key>`; drop the
    deleted ones. index.json maps each key to [ETag, last modified]."""
    index_path = folder / "index.json"
    old: dict[str, list] = json.loads(index_path.read_text()) if index_path.exists() else {}
    index: dict[str, list] = {}
    listed: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            key, etag, modified = obj["Key"], obj["ETag"], obj["LastModified"].timestamp()
            listed.add(key)
            if modified > cut:
                if key in old:
                    index[key] = old[key]  # the copy from before stays until the next snapshot
                continue
            if (old.get(key) or [None])[0] != etag:
                _atomic_write(folder / "objects" / key, s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            index[key] = [etag, modified]
    for key in set(old) - listed:
        (folder / "objects" / key).unlink(missing_ok=True)
    _atomic_write(index_path, json.dumps(index, sort_keys=True).encode())
    return len(index)


def restore(endpoint: str, src: Path | None = None) -> Counts:
    """Put a snapshot back into the deployed stack (its tables and buckets are new and empty)."""
    t0 = time.time()
    src = src or snapshot_dir()
    out = outputs(endpoint)
    counts = Counts()
    ddb = client("dynamodb", endpoint)
    for name in TABLES:
        path = src / "tables" / f"{name}.jsonl"
        if name not in out or not path.exists():
            continue
        items = [json.loads(line) for line in path.read_text().split("\n") if line.strip()]
        for i in range(0, len(items), 25):
            _batch_write(ddb, out[name], items[i:i + 25])
        counts.items[name] = len(items)
    s3 = client("s3", endpoint)
    cut = last_snapshot(src).get("cut", 0)
    for name in BUCKETS:
        folder = src / "buckets" / name
        index_path = folder / "index.json"
        index: dict[str, list] = json.loads(index_path.read_text()) if index_path.exists() else {}
        for key in index:
            path = folder / "objects" / key
            if path.exists():
                s3.put_object(Bucket=out[name], Key=key, Body=path.read_bytes())
        counts.objects[name] = len(index)
        if name == "RawBucket":
            # Written just before the cut, maybe not yet indexed, and unchanged when fetched again: mark them
            # pending so the next run indexes them (indexing an object twice is harmless).
            recent = [k for k, (_, modified) in index.items() if k.startswith("raw/") and modified >= cut - CUT_MARGIN_S]
            _mark_pending(ddb, out["IngestionStateTable"], recent)
    counts.seconds = time.time() - t0
    return counts


def _mark_pending(ddb, table: str, keys: list[str]) -> None:
    """The same items the fetch writes (teamlens.ingestion.pending), written here without the layer."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())
    items = [{"pk": {"S": f"pending#{key.split('/')[1]}"}, "sk": {"S": key}, "op": {"S": "index"},
              "marked_at": {"S": stamp}, "run_id": {"S": "restore"}} for key in keys]
    for i in range(0, len(items), 25):
        _batch_write(ddb, table, items[i:i + 25])


def _batch_write(ddb, table: str, items: list[dict]) -> None:
    request = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for attempt in range(8):
        unprocessed = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        if not unprocessed:
            return
        request = unprocessed
        time.sleep(0.1 * 2 ** attempt)
    raise RuntimeError(f"could not restore {len(request[table])} items into {table}")


def table_counts(endpoint: str) -> dict[str, int]:
    """Items per table (by stack output name): what a restart must give back."""
    ddb, out = client("dynamodb", endpoint), outputs(endpoint)
    return {name: sum(p["Count"] for p in ddb.get_paginator("scan").paginate(TableName=out[name], Select="COUNT"))
            for name in TABLES if name in out}


def object_counts(endpoint: str) -> dict[str, int]:
    """Raw-data objects per top-level prefix (raw/<source>, manifests)."""
    counts: dict[str, int] = {}
    for page in client("s3", endpoint).get_paginator("list_objects_v2").paginate(Bucket=outputs(endpoint)["RawBucket"]):
        for obj in page.get("Contents", []):
            prefix = "/".join(obj["Key"].split("/")[:2]) if obj["Key"].startswith("raw/") else obj["Key"].split("/")[0]
            counts[prefix] = counts.get(prefix, 0) + 1
    return counts


def last_snapshot(folder: Path | None = None) -> dict:
    """What the last snapshot recorded (saved_at, cut, seconds, counts); empty when there is none."""
    path = (folder or snapshot_dir()) / "snapshot.json"
    return json.loads(path.read_text()) if path.exists() else {}


def wait_for_snapshot_after(moment: float, timeout: float) -> dict:
    """The first snapshot that *started* after `moment` (so it holds what was written before it)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        meta = last_snapshot()
        if meta and meta["saved_at"] - meta["seconds"] > moment:
            return meta
        time.sleep(0.5)
    raise TimeoutError(f"no snapshot started within {timeout:.0f}s: is the snapshotter running (`make status`)?")


def has_snapshot() -> bool:
    return (snapshot_dir() / "snapshot.json").exists()


def mark_restored() -> None:
    restored_marker().parent.mkdir(parents=True, exist_ok=True)
    restored_marker().write_text(str(time.time()))


def save_if_restored(endpoint: str) -> Counts | None:
    return save(endpoint) if restored_marker().exists() else None


def wipe() -> None:
    shutil.rmtree(snapshot_dir(), ignore_errors=True)


def interval_s() -> float:
    return float(setting("TEAMLENS_SNAPSHOT_S", str(INTERVAL_S)))


def start_snapshotter(endpoint: str) -> None:
    if SERVICE.pid():
        return
    env = {**os.environ, "TEAMLENS_STATE_DIR": str(paths.STATE), "PYTHONPATH": str(paths.ROOT)}
    start(SERVICE, [sys.executable, "-m", "devstack.snapshot", endpoint, str(interval_s())], env=env,
          cwd=paths.ROOT)


def run_forever(endpoint: str, interval: float) -> None:
    """The background snapshotter: one snapshot per interval, while LocalStack answers."""
    from devstack.localstack import SERVICE as LOCALSTACK

    while True:
        time.sleep(interval)
        if LOCALSTACK.pid() is None:
            print("LocalStack is not running: the snapshotter stops (the next `make up` starts it)", flush=True)
            return
        try:
            counts = save_if_restored(endpoint)
        except Exception as exc:  # noqa: BLE001 - LocalStack restarting or gone: try again next interval
            print(f"snapshot failed: {exc}", file=sys.stderr, flush=True)
            continue
        if counts:
            print(f"snapshot: {json.dumps(counts.as_dict())}", flush=True)


if __name__ == "__main__":  # python -m devstack.snapshot <endpoint> <interval>
    run_forever(sys.argv[1], float(sys.argv[2]))
