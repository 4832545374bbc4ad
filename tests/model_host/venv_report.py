"""Running a check script under tests/model_host/ with the model host venv's Python (the project venv has
neither llama.cpp nor torch), for tests that compare engines in one process."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from devstack import model_host as mh

ROOT = Path(__file__).resolve().parents[2]


def run_report(script: str, *args: str, timeout: float = 400) -> dict:
    """Run tests/model_host/<script> with the model host venv's Python (offline, the repository importable)
    and return the JSON object its last output line holds."""
    mh.ensure_installed()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run([str(mh.install.venv_python(mh.VENV)), str(Path(__file__).with_name(script)), *args],
                          check=False, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
