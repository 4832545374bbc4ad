"""Execution environments forked from an initialised template process, one template per function version.

On one small machine, N environments starting at once (a burst of requests after a deploy) each import the
whole function: N × the init's CPU time, on two cores, is what made a 20-request burst take 30-40 s. A
template (template_main.py) runs the init once; each new environment is a fork of it, ready in
milliseconds, sharing the imported code copy-on-write. That is the model of Lambda SnapStart.

A template is used only when it can be: if the init fails, leaves a thread running or a connection open,
the version's environments start as plain processes (runtime_process.popen), which also reproduces an init
error the way AWS reports it. TEAMLENS_LAMBDA_FORK=off turns templates off.
Stdlib only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from teamlens_lambda_executor.launch import LaunchSpec
from teamlens_lambda_executor.runtime_process import kill_group

LOG = logging.getLogger(__name__)

FORK_ENV = "TEAMLENS_LAMBDA_FORK"
TEMPLATE_MAIN = Path(__file__).with_name("template_main.py")
_FORK_REPLY_TIMEOUT_S = 10.0
_MAX_MESSAGE = 1 << 20


class TemplateUnavailable(Exception):
    """No environment can be forked for this launch: start a plain process instead."""


def enabled() -> bool:
    return os.environ.get(FORK_ENV, "on").strip().lower() not in ("0", "off", "false", "no")


@dataclasses.dataclass
class ForkedProcess:
    """The part of subprocess.Popen that RuntimeProcess uses, for an environment forked by a template."""

    pid: int
    _exit_code: int | None = None
    _exited: threading.Event = dataclasses.field(default_factory=threading.Event)

    def wait(self) -> int:
        self._exited.wait()
        assert self._exit_code is not None
        return self._exit_code

    def set_exit(self, code: int) -> None:
        if not self._exited.is_set():
            self._exit_code = code
            self._exited.set()


class Template:
    """One template process and the environments it forked; thread-safe."""

    def __init__(self, name: str, spec: LaunchSpec, handler: str, folder: Path) -> None:
        self.name = name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "tmp").mkdir(exist_ok=True)
        env = {k: v for k, v in spec.env.items() if k != "AWS_LAMBDA_RUNTIME_API"}
        env.update(HOME=str(folder / "tmp"), TMPDIR=str(folder / "tmp"))
        self.folder = folder
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._lock = threading.Lock()
        self._next_id = 0
        self._pending: dict[int, tuple[threading.Event, list[ForkedProcess]]] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._closed = False
        log_fd = os.open(folder / "template.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            self.proc = subprocess.Popen(
                [spec.argv[0], str(TEMPLATE_MAIN), handler, str(theirs.fileno())],
                cwd=spec.cwd, env=env, stdin=subprocess.DEVNULL, stdout=log_fd, stderr=log_fd,
                start_new_session=True, pass_fds=[theirs.fileno()],
            )
        finally:
            os.close(log_fd)
            theirs.close()
        self._ready = threading.Event()
        self.unusable: str | None = None
        threading.Thread(target=self._read, name=f"lambda-template-{self.proc.pid}", daemon=True).start()

    @property
    def died(self) -> bool:
        """It was usable and is gone (crashed, killed): a new one may be started."""
        return self._closed and self._ready.is_set() and self.unusable is None

    def wait_ready(self, timeout: float) -> None:
        """Block until the init finished; TemplateUnavailable if it cannot be forked from."""
        if not self._ready.wait(timeout):
            self.unusable = f"its init did not finish within {timeout:.0f}s"
            self.close()
        if self.unusable:
            raise TemplateUnavailable(self.unusable)

    def fork(self, spec: LaunchSpec, log_fd: int) -> ForkedProcess:
        done, box = threading.Event(), []
        with self._lock:
            if self._closed:
                raise TemplateUnavailable("the template was retired")
            self._next_id += 1
            request_id = self._next_id
            self._pending[request_id] = (done, box)
            message = json.dumps({"op": "fork", "id": request_id, "env": spec.env, "cwd": str(spec.cwd)})
            try:
                socket.send_fds(self._sock, [message.encode()], [log_fd])
            except OSError as e:
                self._pending.pop(request_id, None)
                raise TemplateUnavailable(f"the template is gone ({e})") from e
        if not done.wait(_FORK_REPLY_TIMEOUT_S) or not box:
            with self._lock:
                self._pending.pop(request_id, None)
            raise TemplateUnavailable("the template did not fork")
        return box[0]

    def close(self) -> None:
        """Retire: end of file tells the template to kill what is left and exit."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            kill_group(self.proc.pid)
            self.proc.wait()

    def _read(self) -> None:
        try:
            while True:
                try:
                    data = self._sock.recv(_MAX_MESSAGE)
                except OSError:
                    data = b""
                if not data:
                    break
                self._dispatch(json.loads(data))
        finally:
            self._gone()

    def _dispatch(self, message: dict) -> None:
        event = message.get("event")
        if event == "ready":
            self._ready.set()
        elif event == "unusable":
            self.unusable = str(message.get("reason"))
            LOG.info("Lambda %s: environments start as plain processes: %s", self.name, self.unusable)
            self._ready.set()
        elif event == "forked":
            child = ForkedProcess(pid=int(message["pid"]))
            with self._lock:
                self._children[child.pid] = child
                done, box = self._pending.pop(int(message["id"]), (None, None))
            if done is None:  # the requester gave up waiting: nobody will ever use or kill this child
                kill_group(child.pid)
                return
            box.append(child)
            done.set()
        elif event == "exited":
            with self._lock:
                child = self._children.pop(int(message["pid"]), None)
            if child:
                child.set_exit(int(message["code"]))

    def _gone(self) -> None:
        """The template exited or was retired: its children were killed with it, or are killed now."""
        if not self._ready.is_set():
            self.unusable = self.unusable or f"the template exited during init (see {self.folder / 'template.log'})"
            self._ready.set()
        with self._lock:
            self._closed = True
            children, self._children = list(self._children.values()), {}
            pending, self._pending = list(self._pending.values()), {}
        for child in children:
            kill_group(child.pid)
            child.set_exit(-signal.SIGKILL)
        for done, _ in pending:
            done.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)


class TemplatePool:
    """Templates by (version, launch): the first environment of a version starts one, the others wait."""

    def __init__(self, root: Callable[[], Path]) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._templates: dict[tuple[str, str], Template] = {}

    def prepare(self, version: str, handler: str, spec: LaunchSpec, timeout: float) -> None:
        """Start the template for this launch unless there is one, and wait for its init.

        TemplateUnavailable if it cannot be forked from; the answer sticks for the version (a failing init
        is not repeated in a template for every environment). A template that died is replaced.
        """
        key = (version, _launch_key(spec))
        with self._lock:
            template = self._templates.get(key)
            if template is None or template.died:
                folder = self._root() / hashlib.sha256("\0".join(key).encode()).hexdigest()[:16]
                template = self._templates[key] = Template(version, spec, handler, folder)
                LOG.info("Lambda %s: initialising a template for its environments (pid %s)", version,
                         template.proc.pid)
        template.wait_ready(timeout)

    def fork(self, version: str, spec: LaunchSpec, log_fd: int) -> ForkedProcess:
        with self._lock:
            template = self._templates.get((version, _launch_key(spec)))
        if template is None:
            raise TemplateUnavailable("the template was retired")
        return template.fork(spec, log_fd)

    def retire(self, version: str) -> None:
        with self._lock:
            retired = [t for (v, _), t in self._templates.items() if v == version]
            self._templates = {k: t for k, t in self._templates.items() if k[0] != version}
        for template in retired:
            template.close()


def _launch_key(spec: LaunchSpec) -> str:
    # Not the variables: a version's own are fixed (a change is a new version), the rest differ per
    # environment (runtime API, log stream, runtime id) and each child gets its own after the fork.
    return hashlib.sha256(json.dumps([spec.argv, str(spec.cwd)]).encode()).hexdigest()
