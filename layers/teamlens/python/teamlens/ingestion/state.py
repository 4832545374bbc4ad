"""Ingestion state in DynamoDB: one cursor item per source (optimistic locking) and one item per run.

Items:  pk="cursor#<source>", sk="cursor"  {cursor: JSON, version: n, updated_at}
        pk="run#<run id>",    sk="source#<source>"  {status, counts, error, started_at, finished_at}
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError


class CursorConflict(RuntimeError):
    """Another run advanced the cursor first; this run's cursor is not written."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class IngestionState:
    def __init__(self, table) -> None:
        self.table = table  # boto3 dynamodb Table resource

    def cursor(self, source: str) -> tuple[dict[str, Any], int]:
        item = self.table.get_item(Key={"pk": f"cursor#{source}", "sk": "cursor"}, ConsistentRead=True).get("Item")
        if not item:
            return {}, 0
        return json.loads(item["cursor"]), int(item["version"])

    def advance_cursor(self, source: str, cursor: dict[str, Any], expected_version: int) -> int:
        """Write the new cursor only if nobody else moved it since we read it."""
        version = expected_version + 1
        try:
            self.table.put_item(
                Item={"pk": f"cursor#{source}", "sk": "cursor", "source": source, "cursor": json.dumps(cursor),
                      "version": version, "updated_at": now_iso()},
                ConditionExpression="attribute_not_exists(pk) OR version = :v",
                ExpressionAttributeValues={":v": expected_version},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise CursorConflict(f"the {source} cursor moved during this run") from None
            raise
        return version

    def record_source_run(self, run_id: str, source: str, **fields: Any) -> None:
        self.table.put_item(Item={"pk": f"run#{run_id}", "sk": f"source#{source}", "source": source,
                                  "updated_at": now_iso(), **fields})

    def run(self, run_id: str) -> list[dict]:
        resp = self.table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"run#{run_id}"})
        return resp["Items"]

    def add_index_counts(self, run_id: str, source: str, *, objects: int, chunks: int, removed: int,
                         done: bool, failed: list[str] | None = None) -> None:
        """Accumulate over the slices of one source's manifest (atomic ADD)."""
        values: dict[str, Any] = {":o": objects, ":c": chunks, ":r": removed, ":f": len(failed or []),
                  ":s": "indexed" if done else "indexing", ":u": now_iso()}
        update = ("ADD indexed_objects :o, indexed_chunks :c, removed_chunks :r, failed_objects :f "
                  "SET #s = :s, updated_at = :u")
        if done:
            update += ", indexed_at = :u"
        if failed:
            update += ", index_errors = list_append(if_not_exists(index_errors, :empty), :e)"
            values.update({":empty": [], ":e": failed[:20]})
        self.table.update_item(Key={"pk": f"run#{run_id}", "sk": f"source#{source}"}, UpdateExpression=update,
                               ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues=values)
