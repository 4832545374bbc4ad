"""Dev stack settings: environment first, then `.env`, then defaults. Ports are never hard-coded elsewhere."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from devstack import paths


def read_dotenv(path: Path) -> dict[str, str]:
    return {k: v for k, v in dotenv_values(path).items() if v is not None} if path.exists() else {}


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or read_dotenv(paths.ROOT / ".env").get(name) or default


@dataclass(frozen=True)
class Ports:
    localstack: int = field(default_factory=lambda: int(setting("LOCALSTACK_PORT", "4566")))
    chroma: int = field(default_factory=lambda: int(setting("CHROMADB_PORT", "8001")))
    model_host: int = field(default_factory=lambda: int(setting("MODEL_HOST_PORT", "8002")))
    gitlab_sim: int = field(default_factory=lambda: int(setting("GITLAB_SIM_PORT", "8011")))
    slack_sim: int = field(default_factory=lambda: int(setting("SLACK_SIM_PORT", "8012")))
    backlog_sim: int = field(default_factory=lambda: int(setting("BACKLOG_SIM_PORT", "8013")))
