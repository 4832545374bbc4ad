"""Raw source data in S3: one canonical JSON object per entity at a deterministic key.

Writing the same content again is a no-op (compared by MD5/ETag), so re-running ingestion adds nothing
and the manifest of changed keys stays empty.

A fetch writes hundreds of objects, and each used to cost a HEAD and a PUT in sequence. Two things make
that cheap: `index_prefix` lists a source's existing ETags once (one call per 1,000 keys instead of a
HEAD per object), and `submit_put`/`submit_delete` overlap the writes on a few threads. `drain` waits for
them all and raises the first failure, so a caller that drains before advancing its cursor still never
moves past data that is not in S3.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Literal

from botocore.exceptions import ClientError

WriteOutcome = Literal["created", "updated", "unchanged"]
WRITERS = 8  # S3 calls in flight; boto3 clients are thread-safe and its pool holds 10 connections


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_etag(body: bytes) -> str:
    return hashlib.md5(body).hexdigest()  # noqa: S324 (S3's ETag of a single-part object; not security)


class RawStore:
    def __init__(self, s3, bucket: str, *, writers: int = WRITERS) -> None:
        self.s3 = s3
        self.bucket = bucket
        self._writers = writers
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[str, Future] = {}
        self._listed: list[str] = []
        self._etags: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- synchronous -------------------------------------------------------------------------------
    def put_json(self, key: str, obj: Any) -> WriteOutcome:
        self._wait_for(key)
        return self._put(key, canonical_json(obj))

    def get_json(self, key: str) -> Any | None:
        self._wait_for(key)
        try:
            return json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise

    def delete(self, key: str) -> None:
        self._wait_for(key)
        self._delete(key)

    def keys(self, prefix: str) -> Iterator[str]:
        for obj in self._objects(prefix):
            yield obj["Key"]

    # -- overlapped writes -------------------------------------------------------------------------
    def index_prefix(self, prefix: str) -> int:
        """Remember the ETags under `prefix`, so writes there skip their HEAD. Returns how many.

        Call it at the start of each fetch: it replaces what an earlier call remembered under the prefix
        (the store lives as long as the Lambda environment; objects may have changed in between)."""
        found = {obj["Key"]: obj["ETag"].strip('"') for obj in self._objects(prefix)}
        with self._lock:
            self._etags = {k: v for k, v in self._etags.items() if not k.startswith(prefix)} | found
            if prefix not in self._listed:
                self._listed.append(prefix)
        return len(found)

    def submit_put(self, key: str, obj: Any) -> Future:
        """Queue a write; the future's result is the WriteOutcome. Writes to one key keep their order."""
        body = canonical_json(obj)  # serialised now: the caller may change `obj` after this returns
        return self._submit(key, self._put, key, body)

    def submit_delete(self, key: str) -> Future:
        return self._submit(key, self._delete, key)

    def drain(self) -> None:
        """Wait for every queued write; raise the first failure (in submission order)."""
        with self._lock:
            pending = list(self._pending.values())
        wait(pending)
        with self._lock:
            for key in [k for k, f in self._pending.items() if f.done()]:
                del self._pending[key]
        for future in pending:
            if (exc := future.exception()) is not None:
                raise exc

    # -- internals ---------------------------------------------------------------------------------
    def _objects(self, prefix: str) -> Iterator[dict]:
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def _submit(self, key: str, fn, *args) -> Future:
        self._wait_for(key)
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._writers, thread_name_prefix="raw-store")
            future = self._pool.submit(fn, *args)
            self._pending[key] = future
        return future

    def _wait_for(self, key: str) -> None:
        with self._lock:
            future = self._pending.get(key)
        if future is not None:
            wait([future])

    def _put(self, key: str, body: bytes) -> WriteOutcome:
        etag = self._etag(key)
        new = content_etag(body)
        if etag == new:
            return "unchanged"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        with self._lock:
            self._etags[key] = new
        return "created" if etag is None else "updated"

    def _delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)
        with self._lock:
            self._etags.pop(key, None)

    def _etag(self, key: str) -> str | None:
        with self._lock:
            if any(key.startswith(p) for p in self._listed):
                return self._etags.get(key)
        try:
            return self.s3.head_object(Bucket=self.bucket, Key=key)["ETag"].strip('"')
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
