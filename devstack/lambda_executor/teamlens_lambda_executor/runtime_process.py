"""One runtime process of an execution environment: the awslambdaric child plus its Runtime API server.

The child runs in its own session (process group), so a timeout or stop kills the handler together with
anything it spawned. Its stdout and stderr go, unbuffered, to one append-only log file that the executor cuts
into per-invocation slices. A watcher thread reports the child's exit to the server, which wakes whoever is
waiting (startup or an invocation) at once instead of polling. Stdlib only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from teamlens_lambda_executor.launch import LaunchSpec
from teamlens_lambda_executor.runtime_api import InitState, Invocation, Reply, RuntimeApiServer

LOG = logging.getLogger(__name__)

_KILL_WAIT_S = 5.0


class Outcome(enum.Enum):
    REPLIED = "replied"
    TIMED_OUT = "timed out"
    EXITED = "runtime exited"
    CLOSED = "stopped"


@dataclasses.dataclass(frozen=True)
class InvokeResult:
    outcome: Outcome
    reply: Reply | None = None
    exit_code: int | None = None


class Child(Protocol):
    """What RuntimeProcess needs of its child: subprocess.Popen, or templates.ForkedProcess."""

    pid: int

    def wait(self) -> int: ...


Spawn = Callable[[LaunchSpec, int], Child]


def kill_group(pid: int) -> None:
    """SIGKILL the process group `pid` leads (a runtime and whatever it started); gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def popen(spec: LaunchSpec, log_fd: int) -> Child:
    """A plain child process: `python -m awslambdaric <handler>`, stdout and stderr on the log."""
    return subprocess.Popen(
        spec.argv,
        cwd=spec.cwd,
        env=spec.env,
        stdin=subprocess.DEVNULL,
        stdout=log_fd,
        stderr=log_fd,
        start_new_session=True,
        close_fds=True,
    )


class RuntimeProcess:
    """`RuntimeProcess(make_launch, log_path)` starts it; `make_launch(port)` builds the LaunchSpec.

    `spawn(spec, log_fd)` starts the child (default: `popen`; the executor passes one that forks it from the
    version's template when it can); it returns a `Child`.
    """

    def __init__(
        self, make_launch: Callable[[int], LaunchSpec], log_path: Path, spawn: Spawn | None = None
    ) -> None:
        self.api = RuntimeApiServer()
        try:
            spec = make_launch(self.api.port)
            log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                self.proc = (spawn or popen)(spec, log_fd)
            finally:
                os.close(log_fd)
        except BaseException:
            self.api.close()
            raise
        self._exited = threading.Event()
        threading.Thread(target=self._watch_exit, name=f"lambda-runtime-{self.proc.pid}", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def exit_code(self) -> int | None:
        return self.api.exit_code

    def wait_initialized(self, timeout: float) -> InitState:
        return self.api.wait_until_initialized(timeout)

    def invoke(self, invocation: Invocation, timeout_s: float) -> InvokeResult:
        """Hand one invocation to the runtime and wait for its reply, its exit, a stop or the timeout."""
        self.api.submit(invocation)
        reply = self.api.wait_for_reply(timeout_s)
        if reply is not None:
            return InvokeResult(Outcome.REPLIED, reply=reply)
        if self.api.closed:
            return InvokeResult(Outcome.CLOSED)
        if self.api.exit_code is not None:
            return InvokeResult(Outcome.EXITED, exit_code=self.api.exit_code)
        return InvokeResult(Outcome.TIMED_OUT)

    def max_rss_mb(self) -> int | None:
        """Peak resident memory of the runtime process (what Lambda reports as Max Memory Used)."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return max(1, round(int(line.split()[1]) / 1024))
        except (OSError, ValueError, IndexError):
            pass
        return None

    def kill(self) -> None:
        """Kill the whole process group, wait for it to be reaped, and stop the server. Idempotent."""
        # Signal the group even if the runtime itself already exited: whatever the handler started in the
        # background is still in it. The group id is the runtime's pid, which stays reserved while it is
        # unreaped or while any member of its group is alive.
        kill_group(self.proc.pid)
        if not self._exited.wait(_KILL_WAIT_S):
            LOG.warning("Lambda runtime process %s did not exit after SIGKILL", self.proc.pid)
        self.api.close()

    def _watch_exit(self) -> None:
        code = self.proc.wait()
        self._exited.set()
        self.api.runtime_exited(code)
