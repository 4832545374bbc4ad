"""The chat engine as a supervised child process: started with the model host, watched, restarted.

llama.cpp's own server (`llama-server`) does the decoding: parallel slots with continuous batching,
JSON-schema constrained sampling, per-slot prompt caching and n-gram speculative decoding. The model
host keeps the public API (OpenAI shapes, errors, metrics, priorities) and talks to the engine over
loopback. The supervisor notices when the engine exits or stops answering its health check, reports it
(GET /health of the model host says `engine: restarting`), and starts it again with backoff, so a crash
costs the requests in flight and a few seconds, never a stack restart. The engine dies with the model
host (PR_SET_PDEATHSIG), so a killed model host leaves no orphan holding the port and the memory.
"""
from __future__ import annotations

import asyncio
import ctypes
import logging
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import httpx

from model_host.batching import cancel_and_wait

log = logging.getLogger("model_host.engine")

EngineState = Literal["starting", "ok", "restarting", "failed"]
HEALTH_INTERVAL_S = 1.0
HEALTH_FAILURES_BEFORE_RESTART = 5  # consecutive failed checks of a live process: it hangs; restart it
MAX_BACKOFF_S = 30.0
PR_SET_PDEATHSIG = 1


class EngineError(RuntimeError):
    """The engine could not be started; the message says why (with the tail of its log)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _libc_prctl():
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # resolved in the parent: no dlopen after fork
    except (OSError, AttributeError):  # not Linux
        return None


_PRCTL = _libc_prctl()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Only a system call: nothing that could take a lock another thread of the parent held at fork.
    # The child stays in the host's process group, so the launcher's group kill reaches it too.
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class EngineProcess:
    def __init__(self, command: Sequence[str], *, port: int, log_path: Path, start_timeout_s: float = 180.0,
                 host: str = "127.0.0.1") -> None:
        self.command = list(command)
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self.log_path = log_path
        self.start_timeout_s = start_timeout_s
        self.state: EngineState = "starting"
        self.restarts = 0
        self.last_exit: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._task: asyncio.Task[None] | None = None
        self._healthy = asyncio.Event()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def available(self) -> bool:
        return self.state == "ok"

    def _spawn(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            out.write(f"\n==> {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(self.command)}\n".encode())
            out.flush()
            self._proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT,
                                          preexec_fn=_die_with_parent)  # noqa: PLW1509 - a bare syscall
        log.info("chat engine started (pid %d, port %d, log %s)", self._proc.pid, self.port, self.log_path)

    async def _wait_healthy(self, client: httpx.AsyncClient) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            assert self._proc is not None
            if (code := self._proc.poll()) is not None:
                raise EngineError(f"the chat engine exited with code {code} while starting; its log "
                                  f"({self.log_path}) ends:\n{log_tail(self.log_path)}")
            try:
                if (await client.get(f"{self.base_url}/health", timeout=2.0)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
        raise EngineError(f"the chat engine did not answer /health within {self.start_timeout_s:.0f}s; its log "
                          f"({self.log_path}) ends:\n{log_tail(self.log_path)}")

    async def start(self) -> None:
        """Start the engine and wait until it serves (raises EngineError), then watch it in the background."""
        self._spawn()
        async with httpx.AsyncClient() as client:
            try:
                await self._wait_healthy(client)
            except EngineError:
                self._kill()
                self.state = "failed"
                raise
        self.state = "ok"
        self._healthy.set()
        self._task = asyncio.get_running_loop().create_task(self._supervise(), name="engine-supervisor")

    async def wait_available(self, timeout: float) -> bool:  # noqa: ASYNC109 - a budget the caller passes on
        """Wait up to `timeout` seconds for a restarting engine; True when it serves."""
        if self.available:
            return True
        try:
            await asyncio.wait_for(self._healthy.wait(), timeout)
        except TimeoutError:
            return False
        return self.available

    async def _supervise(self) -> None:
        failures, backoff = 0, 1.0
        async with httpx.AsyncClient() as client:
            while True:
                await asyncio.sleep(HEALTH_INTERVAL_S)
                assert self._proc is not None
                code = self._proc.poll()
                if code is None:
                    try:
                        ok = (await client.get(f"{self.base_url}/health", timeout=5.0)).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    failures = 0 if ok else failures + 1
                    if failures < HEALTH_FAILURES_BEFORE_RESTART:
                        if ok:
                            backoff = 1.0
                        continue
                    self.last_exit = f"stopped answering /health ({failures} checks)"
                    self._kill()
                else:
                    self.last_exit = f"exited with code {code}" if code >= 0 else f"killed by signal {-code}"
                self.state, failures = "restarting", 0
                self._healthy.clear()
                log.error("chat engine %s; restarting in %.0fs (log: %s)", self.last_exit, backoff, self.log_path)
                await asyncio.sleep(backoff)
                try:
                    self._spawn()
                    await self._wait_healthy(client)
                except (EngineError, OSError) as exc:
                    log.error("chat engine restart failed: %s", exc)
                    self._kill()
                    backoff = min(MAX_BACKOFF_S, backoff * 2)
                    continue
                self.restarts += 1
                self.state = "ok"
                self._healthy.set()
                log.info("chat engine back (restart %d)", self.restarts)

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not time out
                pass

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill()

    def health(self) -> dict[str, object]:
        return {"state": self.state, "pid": self.pid, "restarts": self.restarts, "last_exit": self.last_exit}
