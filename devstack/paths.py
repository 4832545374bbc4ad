"""Where the dev stack keeps things. Everything local lives under `.state/` (git-ignored).

Installed things (venvs, model weights, build outputs) are shared by every stack instance on the machine;
running state (pids, logs, LocalStack data, stack outputs) belongs to one instance. `make up` uses
`.state/`; the test suite sets TEAMLENS_STATE_DIR to its own folder so it never touches a running stack.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL = ROOT / ".state"
VENVS = INSTALL / "venvs"
MODELS = INSTALL / "models"
BUILD = INSTALL / "build"

STATE = Path(os.environ.get("TEAMLENS_STATE_DIR") or INSTALL).resolve()
LOGS = STATE / "logs"
PIDS = STATE / "pids"
STACK_JSON = STATE / "stack.json"


def ensure_dirs() -> None:
    for d in (INSTALL, VENVS, MODELS, BUILD, STATE, LOGS, PIDS):
        d.mkdir(parents=True, exist_ok=True)
