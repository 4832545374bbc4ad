"""Conversations in DynamoDB: one item per turn under the conversation's partition, in order.

Layout (Conversations table): pk=`conv#<id>`; sk=`meta` holds the conversation (kind="conversation",
created_at, for listing through the by_kind index); sk=`turn#<000001>` holds one turn. Turn numbers are
claimed with a conditional put, so two concurrent turns of one conversation never overwrite each other.
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from teamlens.dynamo_values import from_dynamo, to_dynamo

CONVERSATION_ID = re.compile(r"^[0-9a-f]{32}$")
RETENTION = timedelta(days=180)  # conversations expire through the table's TTL
MAX_CLAIM_TRIES = 20


class Citation(BaseModel):
    n: int
    title: str
    url: str
    source: str
    snippet: str = ""


class Turn(BaseModel):
    n: int = Field(description="1-based position in the conversation")
    question: str
    answer: str
    citations: list[Citation] = []
    intent: str
    args: dict[str, Any] = {}
    language: str = ""
    timings_ms: dict[str, float] = {}
    models: dict[str, str] = {}
    job_id: str | None = None
    created_at: str


class Conversation(BaseModel):
    conversation_id: str
    created_at: str
    turns: list[Turn]


class ConversationNotFound(LookupError):
    pass


def new_conversation_id() -> str:
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


class Conversations:
    def __init__(self, table) -> None:
        self.table = table

    def create(self) -> str:
        cid = new_conversation_id()
        now = _now()
        self.table.put_item(Item={"pk": f"conv#{cid}", "sk": "meta", "kind": "conversation",
                                  "created_at": now.isoformat(), "expires_at": _ttl(now)},
                            ConditionExpression="attribute_not_exists(pk)")
        return cid

    def exists(self, cid: str) -> bool:
        if not CONVERSATION_ID.match(cid):
            return False
        return "Item" in self.table.get_item(Key={"pk": f"conv#{cid}", "sk": "meta"}, ProjectionExpression="pk")

    def turns(self, cid: str, *, last: int | None = None) -> list[Turn]:
        """The turns in order (only the `last` ones when given)."""
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(f"conv#{cid}") & Key("sk").begins_with("turn#")}
        if last is not None:
            kwargs.update(ScanIndexForward=False, Limit=last)
        items: list[dict] = []
        while True:
            page = self.table.query(**kwargs)
            items += page["Items"]
            if last is not None or "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        turns = [Turn.model_validate(from_dynamo(i["turn"])) for i in items]
        return sorted(turns, key=lambda t: t.n)

    def get(self, cid: str) -> Conversation:
        if not CONVERSATION_ID.match(cid):
            raise ConversationNotFound(cid)
        meta = self.table.get_item(Key={"pk": f"conv#{cid}", "sk": "meta"}).get("Item")
        if meta is None:
            raise ConversationNotFound(cid)
        return Conversation(conversation_id=cid, created_at=meta["created_at"], turns=self.turns(cid))

    def append(self, cid: str, turn: dict[str, Any]) -> Turn:
        """Store a turn as the next one of the conversation; returns it with its number."""
        latest = self.turns(cid, last=1)
        n = latest[-1].n + 1 if latest else 1
        now = _now()
        for _ in range(MAX_CLAIM_TRIES):
            stored = Turn.model_validate({**turn, "n": n, "created_at": now.isoformat()})
            try:
                self.table.put_item(
                    Item={"pk": f"conv#{cid}", "sk": f"turn#{n:06d}", "turn": to_dynamo(stored.model_dump()),
                          "expires_at": _ttl(now)},
                    ConditionExpression="attribute_not_exists(sk)")
                return stored
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                n += 1  # another request took this number first
        raise RuntimeError(f"could not store a turn of conversation {cid}: too many concurrent writers")


def _ttl(now: datetime) -> int:
    return int((now + RETENTION).timestamp())
