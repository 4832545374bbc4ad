"""One fetch run of one source, recorded in the ingestion state table.

The skeleton of the ingestion pipeline: it proves the wiring (Step Functions → Lambda → Secrets Manager
and DynamoDB). The connectors replace the body of `record_fetch_run` with a real incremental fetch.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

import boto3
from pydantic import BaseModel

from teamlens.credentials import load_credentials
from teamlens.settings import settings

Source = Literal["gitlab", "slack", "backlog"]


class FetchRequest(BaseModel):
    source: Source
    execution: str = "manual"


class FetchResult(BaseModel):
    source: Source
    execution: str
    credentials: Literal["present"]
    base_url: str
    fetched: int
    finished_at: str


def record_fetch_run(request: FetchRequest) -> FetchResult:
    s = settings()
    arn = s.secret_arns.get(request.source)
    if not arn:
        raise RuntimeError(f"no secret configured for source {request.source!r}")
    creds = load_credentials(request.source, arn)
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    result = FetchResult(source=request.source, execution=request.execution, credentials="present",
                         base_url=creds.base_url, fetched=0, finished_at=now)
    boto3.resource("dynamodb").Table(s.ingestion_state_table).put_item(Item={
        "pk": f"run#{request.source}",
        "sk": now,
        "source": request.source,
        "updated_at": now,
        "execution": request.execution,
        "fetched": 0,
    })
    return result
