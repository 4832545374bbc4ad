"""Raw source data in S3: one canonical JSON object per entity at a deterministic key.

Writing the same content again is a no-op (compared by MD5/ETag), so re-running ingestion adds nothing
and the manifest of changed keys stays empty.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator, Literal

from botocore.exceptions import ClientError

WriteOutcome = Literal["created", "updated", "unchanged"]


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class RawStore:
    def __init__(self, s3, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def put_json(self, key: str, obj: Any) -> WriteOutcome:
        body = canonical_json(obj)
        etag = self._etag(key)
        if etag == hashlib.md5(body).hexdigest():  # noqa: S324 (content check, not security)
            return "unchanged"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return "created" if etag is None else "updated"

    def get_json(self, key: str) -> Any | None:
        try:
            return json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def keys(self, prefix: str) -> Iterator[str]:
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"]

    def _etag(self, key: str) -> str | None:
        try:
            return self.s3.head_object(Bucket=self.bucket, Key=key)["ETag"].strip('"')
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
