"""Runtime settings of a Lambda, read once from its environment (set by the CDK stack)."""
from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel


class Settings(BaseModel):
    target: str = "aws"
    raw_bucket: str = ""
    conversations_table: str = ""
    ingestion_state_table: str = ""
    model_host_url: str = ""
    chroma_url: str = ""
    vector_store: str = "chroma"
    answer_lead: bool = True
    # The model host's embedding model for the index (chunks, search queries) and for ordering /ask's
    # evidence again; empty: the host's default embedding model, which always embeds the router's examples
    # and pre-ranks the evidence sentences (it is ~10x faster).
    index_embedding_model: str = ""
    secret_arns: dict[str, str] = {}

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            target=env.get("TEAMLENS_TARGET", "aws"),
            raw_bucket=env.get("RAW_BUCKET", ""),
            conversations_table=env.get("CONVERSATIONS_TABLE", ""),
            ingestion_state_table=env.get("INGESTION_STATE_TABLE", ""),
            model_host_url=env.get("MODEL_HOST_URL", ""),
            chroma_url=env.get("CHROMA_URL", ""),
            vector_store=env.get("VECTOR_STORE", "chroma"),
            answer_lead=env.get("ANSWER_LEAD", "on").strip().lower() not in ("off", "false", "0", "no"),
            index_embedding_model=env.get("INDEX_EMBEDDING_MODEL", "").strip(),
            secret_arns={k.removesuffix("_SECRET_ARN").lower(): v for k, v in env.items()
                         if k.endswith("_SECRET_ARN") and v},
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()
