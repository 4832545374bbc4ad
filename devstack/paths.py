"""Where the dev stack keeps things. Everything local lives under `.state/` (git-ignored)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("TEAMLENS_STATE_DIR", ROOT / ".state")).resolve()
VENVS = STATE / "venvs"
LOGS = STATE / "logs"
PIDS = STATE / "pids"
STACK_JSON = STATE / "stack.json"


def ensure_dirs() -> None:
    for d in (STATE, VENVS, LOGS, PIDS):
        d.mkdir(parents=True, exist_ok=True)
