"""`devstack up` on a stack that is already up is quick and changes nothing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _up() -> tuple[str, float]:
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "devstack", "up", "--no-sidecars"], check=False, cwd=ROOT,
                          env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, time.time() - t0


def test_up_twice_changes_nothing(stack):
    stack_json = Path(os.environ["TEAMLENS_STATE_DIR"]) / "stack.json"
    before = json.loads(stack_json.read_text())
    first, _ = _up()
    second, _ = _up()
    for out in (first, second):
        assert "already running" in out
        assert "unchanged, nothing to deploy" in out
    after = json.loads(stack_json.read_text())
    assert after["api_url"] == before["api_url"] and after["api_key"] == before["api_key"]
