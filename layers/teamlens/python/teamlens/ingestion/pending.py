"""Objects fetched into S3 but not yet indexed: one durable item per object in the ingestion state table.

The fetch marks every object it changed *before* it advances the source's cursor, and the index step
clears a mark only after the object's chunks are in the vector store. So an index step that fails (model
host or ChromaDB down, a Lambda killed) leaves its objects marked, and the next run's manifest carries
them again: the cursor may move past content, but nothing forgets that the content still needs indexing.

Items:  pk="pending#<source>", sk=<raw key>  {op: "index" | "delete", marked_at, run_id}

A mark is cleared only if it is older than the moment the index step started reading the raw objects:
a newer fetch of the same object (written to S3 before it was marked) keeps its mark for the next run.
"""
from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, NamedTuple

from botocore.exceptions import ClientError

from teamlens.ingestion.state import now_iso

Op = Literal["index", "delete"]
CLEARERS = 8  # conditional deletes in flight (each is its own DynamoDB call)


class PendingKeys(NamedTuple):
    changed: list[str]
    deleted: list[str]


def pending_pk(source: str) -> str:
    return f"pending#{source}"


class PendingIndex:
    def __init__(self, table) -> None:
        self.table = table  # boto3 dynamodb Table resource (the ingestion state table)

    def mark(self, source: str, *, changed: Iterable[str], deleted: Iterable[str], run_id: str) -> int:
        """Mark objects as waiting for the index. An object both written and removed in one sync is marked
        for indexing: the index step reads S3, and a missing object removes its chunks."""
        ops: dict[str, Op] = dict.fromkeys(deleted, "delete")
        ops.update(dict.fromkeys(changed, "index"))
        marked_at = now_iso()
        with self.table.batch_writer() as batch:
            for key, op in ops.items():
                batch.put_item(Item={"pk": pending_pk(source), "sk": key, "op": op, "marked_at": marked_at,
                                     "run_id": run_id})
        return len(ops)

    def keys(self, source: str) -> PendingKeys:
        """Every object of the source still waiting, sorted by key (consistent read: the marks just written)."""
        changed: list[str] = []
        deleted: list[str] = []
        kwargs = {"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": {":pk": pending_pk(source)},
                  "ProjectionExpression": "sk, op", "ConsistentRead": True}
        while True:
            resp = self.table.query(**kwargs)
            for item in resp["Items"]:
                (deleted if item.get("op") == "delete" else changed).append(item["sk"])
            if "LastEvaluatedKey" not in resp:
                return PendingKeys(changed, deleted)
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]

    def clear(self, source: str, keys: Iterable[str], *, read_at: str) -> int:
        """Unmark objects indexed from what S3 held at `read_at`; returns how many marks were removed."""
        waiting = self.keys(source)
        marked = set(waiting.changed) | set(waiting.deleted)
        targets = [k for k in dict.fromkeys(keys) if k in marked]
        if not targets:
            return 0
        with ThreadPoolExecutor(max_workers=CLEARERS) as pool:
            return sum(pool.map(lambda key: self._clear_one(source, key, read_at), targets))

    def _clear_one(self, source: str, key: str, read_at: str) -> int:
        try:
            self.table.delete_item(Key={"pk": pending_pk(source), "sk": key},
                                   ConditionExpression="marked_at < :t", ExpressionAttributeValues={":t": read_at})
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return 0  # marked again by a newer fetch: the next run indexes that version
            raise
        return 1
