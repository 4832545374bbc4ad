"""Background processes tracked by pid file: start, health-check, stop (by pid, never by name)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devstack import paths


class DevstackError(RuntimeError):
    """A problem the user can act on; the message says what to do."""


@dataclass(frozen=True)
class Service:
    name: str

    @property
    def pid_file(self) -> Path:
        return paths.PIDS / f"{self.name}.json"

    @property
    def log_file(self) -> Path:
        return paths.LOGS / f"{self.name}.log"

    def record(self) -> dict | None:
        try:
            return json.loads(self.pid_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def pid(self) -> int | None:
        rec = self.record()
        if rec and pid_alive(rec["pid"]):
            return rec["pid"]
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); treat it as dead.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def start(
    service: Service,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    port: int | None = None,
    extra: Mapping[str, object] | None = None,
) -> int:
    """Start `argv` detached in its own session, logging to .state/logs/<name>.log; record its pid."""
    paths.ensure_dirs()
    if service.pid():
        raise DevstackError(f"{service.name} already runs (pid {service.pid()}); run `make down` first")
    if port is not None and port_in_use(port):
        raise DevstackError(
            f"port {port} needed by {service.name} is taken by another process; "
            f"stop it (`ss -ltnp 'sport = :{port}'` shows which) or choose another port in .env"
        )
    if service.log_file.exists():  # keep one previous log; checks read only this run's
        service.log_file.replace(service.log_file.with_suffix(".prev.log"))
    with open(service.log_file, "wb") as log:
        proc = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,  # own process group: stop() kills the whole tree
        )
    rec = {"pid": proc.pid, "argv": list(argv), "started": time.time(), "port": port, **(extra or {})}
    service.pid_file.write_text(json.dumps(rec, indent=2))
    return proc.pid


def stop(service: Service, timeout: float = 15.0) -> bool:
    """Stop a recorded service by its pid (process group). Returns True if something was stopped."""
    rec = service.record()
    if not rec:
        return False
    pid = rec["pid"]
    stopped = False
    if pid_alive(pid):
        _signal_group(pid, signal.SIGTERM)
        deadline = time.time() + timeout
        while time.time() < deadline and pid_alive(pid):
            _reap(pid)
            time.sleep(0.2)
        if pid_alive(pid):
            _signal_group(pid, signal.SIGKILL)
            time.sleep(0.2)
            _reap(pid)
        stopped = True
    service.pid_file.unlink(missing_ok=True)
    return stopped


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until(
    service: Service,
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
) -> None:
    """Poll `ready` until true; fail fast (with the log tail) if the process dies or time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ready():
            return
        if service.record() and not service.pid():
            raise DevstackError(
                f"{service.name} exited while starting ({what}); last log lines:\n{log_tail(service)}"
            )
        time.sleep(0.3)
    raise DevstackError(
        f"{service.name} not ready after {timeout:.0f}s ({what}); see {service.log_file}:\n{log_tail(service)}"
    )


def log_tail(service: Service, lines: int = 20) -> str:
    try:
        return "\n".join(service.log_file.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def run(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
        what: str = "") -> str:
    """Run a command to completion; raise DevstackError with its output tail when it fails."""
    proc = subprocess.run(list(argv), check=False, env=dict(env) if env is not None else None, cwd=cwd,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise DevstackError(f"{what or argv[0]} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout
