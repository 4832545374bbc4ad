"""Dev stack settings: environment first, then `.env`, then defaults. Ports are never hard-coded elsewhere."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from devstack import paths


def read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


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
