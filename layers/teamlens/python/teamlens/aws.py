"""boto3 clients and the library's service objects, built once per Lambda environment."""
from __future__ import annotations

from functools import cache, lru_cache

import boto3

from teamlens.ingestion.pending import PendingIndex
from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.state import IngestionState
from teamlens.settings import settings


@cache
def client(service: str):
    return boto3.client(service)


@lru_cache(maxsize=1)
def raw_store() -> RawStore:
    return RawStore(client("s3"), settings().raw_bucket)


@lru_cache(maxsize=1)
def state_table():
    return boto3.resource("dynamodb").Table(settings().ingestion_state_table)


@lru_cache(maxsize=1)
def ingestion_state() -> IngestionState:
    return IngestionState(state_table())


@lru_cache(maxsize=1)
def pending_index() -> PendingIndex:
    return PendingIndex(state_table())
