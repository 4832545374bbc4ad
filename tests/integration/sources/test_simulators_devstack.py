"""devstack.simulators starts, reuses and stops the three simulators (in a private state dir and ports)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

SCRIPT = textwrap.dedent("""
    import json, urllib.request
    from devstack.config import Ports
    from devstack.simulators import ensure_demo_data, start_all, stop_all
    data = ensure_demo_data()
    urls = start_all(Ports())
    again = start_all(Ports())            # healthy ones are reused, not restarted
    with urllib.request.urlopen(urls["slack"] + "/_sim/health") as r:
        health = json.load(r)
    print(json.dumps({"data": str(data), "urls": urls, "again": again, "health": health, "stopped": stop_all()}))
""")


def test_start_all_and_stop_all(tmp_path: Path) -> None:
    ports = {"GITLAB_SIM_PORT": free_port(), "SLACK_SIM_PORT": free_port(), "BACKLOG_SIM_PORT": free_port()}
    env = {**os.environ, "TEAMLENS_STATE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
           **{k: str(v) for k, v in ports.items()}}
    out = subprocess.run([sys.executable, "-c", SCRIPT], check=False, cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["urls"] == result["again"]
    assert result["urls"]["gitlab"].endswith(f":{ports['GITLAB_SIM_PORT']}")
    assert result["health"]["service"] == "slack"
    assert sorted(result["stopped"]) == ["backlog", "gitlab", "slack"]
    assert Path(result["data"], "ground_truth.json").exists()
    assert not list((tmp_path / "pids").glob("*-sim.json"))
