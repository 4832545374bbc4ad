"""The launcher's pure parts and process handling, without any service."""
from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

from devstack import config, processes
from devstack.processes import DevstackError, Service
from devstack.venvs import MARKER, ensure_venv, fingerprint


def test_dotenv_parsing(tmp_path: Path):
    env = tmp_path / ".env"
    env.write_text("# comment\nA=1\nexport B='two'\nC=\"x=y\"\n\nnot a line\n")
    assert config.read_dotenv(env) == {"A": "1", "B": "two", "C": "x=y"}
    assert config.read_dotenv(tmp_path / "missing") == {}


def test_ports_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHROMADB_PORT", "9123")
    assert config.Ports().chroma == 9123


def test_fingerprint_changes_with_content(tmp_path: Path):
    f = tmp_path / "req.txt"
    f.write_text("a==1\n")
    first = fingerprint("x", f)
    f.write_text("a==2\n")
    assert fingerprint("x", f) != first


def test_start_and_stop_by_pid(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(processes.paths, "PIDS", tmp_path)
    monkeypatch.setattr(processes.paths, "LOGS", tmp_path)
    svc = Service("sleeper")
    pid = processes.start(svc, [sys.executable, "-c", "import time; print('hi', flush=True); time.sleep(60)"])
    assert svc.pid() == pid
    with pytest.raises(DevstackError, match="already runs"):
        processes.start(svc, [sys.executable, "-c", "pass"])
    assert processes.stop(svc) is True
    assert not processes.pid_alive(pid)
    assert svc.record() is None
    assert processes.stop(svc) is False  # stopping twice is harmless


def test_a_taken_port_is_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(processes.paths, "PIDS", tmp_path)
    monkeypatch.setattr(processes.paths, "LOGS", tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(DevstackError, match=f"port {port} .* is taken"):
            processes.start(Service("x"), [sys.executable, "-c", "pass"], port=port)


def test_wait_until_reports_a_process_that_died(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(processes.paths, "PIDS", tmp_path)
    monkeypatch.setattr(processes.paths, "LOGS", tmp_path)
    svc = Service("dies")
    processes.start(svc, [sys.executable, "-c", "import sys; print('boom: bad config'); sys.exit(3)"])
    t0 = time.time()
    with pytest.raises(DevstackError, match=r"exited while starting(.|\n)*boom: bad config"):
        processes.wait_until(svc, lambda: False, timeout=30, what="never ready")
    assert time.time() - t0 < 10


def test_half_built_venv_is_rebuilt(tmp_path: Path, capsys):
    venv = tmp_path / "v"
    (venv / "bin").mkdir(parents=True)  # an interrupted install: no marker
    assert ensure_venv(venv, Path(sys.executable), ["--no-index", "pip"], fingerprint_value="fp1", what="test")
    assert "did not finish" in capsys.readouterr().err
    assert (venv / MARKER).read_text().strip() == "fp1"
    assert not ensure_venv(venv, Path(sys.executable), ["--no-index", "pip"], fingerprint_value="fp1", what="test")


def test_ingest_schedule_switch_reaches_the_cdk_context(monkeypatch):
    from devstack import deploy

    monkeypatch.setenv("TEAMLENS_INGEST_SCHEDULE", "on")
    on = deploy.context_args()
    assert on == ["-c", "teamlens:target=local"]
    monkeypatch.setenv("TEAMLENS_INGEST_SCHEDULE", "off")
    assert deploy.context_args() == [*on, "-c", "teamlens:ingestScheduleEnabled=false"]
    monkeypatch.setenv("TEAMLENS_INGEST_SCHEDULE", "sometimes")
    with pytest.raises(DevstackError, match="TEAMLENS_INGEST_SCHEDULE"):
        deploy.context_args()


@pytest.fixture
def fresh_state(tmp_path: Path, monkeypatch) -> Path:
    from devstack import paths

    monkeypatch.setattr(paths, "STATE", tmp_path)
    monkeypatch.delenv("TEAMLENS_DEMO_END", raising=False)
    monkeypatch.setattr(config, "read_dotenv", lambda _path: {})
    return tmp_path


def test_a_new_stacks_demo_ends_today_and_keeps_that_day(fresh_state: Path):
    import datetime as dt

    from devstack import simulators

    assert simulators.demo_end(today=dt.date(2026, 12, 5)) == dt.date(2026, 12, 5)
    # The next day's `make up` keeps the workspace the index was built from.
    assert simulators.demo_end(today=dt.date(2026, 12, 6)) == dt.date(2026, 12, 5)


def test_the_pinned_demo_is_reproducible_and_a_switch_needs_a_reset(fresh_state: Path, monkeypatch):
    import datetime as dt

    from devstack import simulators

    monkeypatch.setenv("TEAMLENS_DEMO_END", "2026-11-20")
    assert simulators.demo_end(today=dt.date(2026, 12, 5)) == dt.date(2026, 11, 20)
    monkeypatch.setenv("TEAMLENS_DEMO_END", "2026-12-01")
    with pytest.raises(DevstackError, match="make reset"):
        simulators.demo_end()
    monkeypatch.setenv("TEAMLENS_DEMO_END", "20/11/2026")
    with pytest.raises(DevstackError, match="not a date"):
        simulators.demo_end()


def test_a_stack_built_before_the_demo_moved_keeps_its_workspace(fresh_state: Path):
    import datetime as dt

    from devstack import simulators

    (fresh_state / "demo").mkdir()
    assert simulators.demo_end(today=dt.date(2026, 12, 5)) == dt.date(2026, 11, 20)
