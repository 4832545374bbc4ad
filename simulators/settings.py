"""Simulator settings from the environment: accepted tokens and the peers' public base URLs."""
from __future__ import annotations

import os
from dataclasses import dataclass

from demo import hosts

DEFAULT_TOKENS = {"gitlab": "glpat-teamlens-local", "slack": "xoxb-teamlens-local",
                  "backlog": "teamlens-local-backlog-key"}
TOKEN_ENV = {"gitlab": "GITLAB_TOKEN", "slack": "SLACK_BOT_TOKEN", "backlog": "BACKLOG_API_KEY"}
CANONICAL = {"gitlab": hosts.GITLAB, "slack": hosts.SLACK, "backlog": hosts.BACKLOG}


@dataclass(frozen=True)
class SimSettings:
    service: str
    token: str
    peer_urls: dict[str, str]      # service -> public base URL of that simulator ('' = keep canonical)

    @classmethod
    def from_env(cls, service: str) -> SimSettings:
        """SIM_<SERVICE>_TOKEN overrides the token (else the app's own env name, else the local default);
        SIM_<SERVICE>_URL gives each simulator's public base URL so cross-links resolve."""
        token = (os.environ.get(f"SIM_{service.upper()}_TOKEN") or os.environ.get(TOKEN_ENV[service])
                 or DEFAULT_TOKENS[service])
        peers = {s: os.environ.get(f"SIM_{s.upper()}_URL", "").rstrip("/") for s in CANONICAL}
        return cls(service, token, peers)
