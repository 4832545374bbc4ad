"""The template process of a function version: run its init once, then fork execution environments from it.

Run by the runtime venv's interpreter (stdlib + awslambdaric only, never imported by LocalStack):

    python template_main.py <handler> <control socket fd>

It imports the handler's module the way awslambdaric would, checks that the process can be forked safely
(one thread, no open network connection), says `ready` (or `unusable` with the reason) on the control socket
(AF_UNIX, SOCK_SEQPACKET: one JSON message per packet), and then serves two kinds of message:
  in:  {"op": "fork", "id": n, "env": {...}, "cwd": "..."} with the environment's log file descriptor
  out: {"event": "forked", "id": n, "pid": p}, later {"event": "exited", "pid": p, "code": c}
A forked child becomes one environment: its own session, stdout/stderr on its log, its own variables
(AWS_LAMBDA_RUNTIME_API among them), then awslambdaric's main loop, whose handler import is already done.
This is Lambda SnapStart's model (init once, resume many), with the same caveat: whatever the init computed
is shared by every environment. End of file on the control socket (the executor retired the template, or
LocalStack is gone) kills the remaining children and ends the template.
"""

from __future__ import annotations

import importlib
import json
import os
import selectors
import signal
import socket
import sys
import traceback
import warnings

_MAX_MESSAGE = 1 << 20


def main() -> int:
    handler, ctrl = sys.argv[1], socket.socket(fileno=int(sys.argv[2]))
    sys.path[0] = os.getcwd()  # as `python -m awslambdaric`: the code folder first, not this file's folder
    try:
        # The handler's module only, as awslambdaric's _get_handler imports it. awslambdaric itself is
        # imported in each child: its runtime client reads AWS_LAMBDA_RUNTIME_API when it is imported.
        importlib.import_module(handler.rsplit(".", 1)[0].replace("/", "."))
    except BaseException as e:  # noqa: BLE001 - any init failure: the executor starts a plain process instead
        _send(ctrl, {"event": "unusable", "reason": f"init failed ({type(e).__name__}: {e})"[:500]})
        return 1
    reason = _unsafe_to_fork(ctrl.fileno())
    if reason:
        _send(ctrl, {"event": "unusable", "reason": reason})
        return 1
    # Python 3.12+ warns at every fork of a process with more than one OS thread; the check above is ours.
    warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks", category=DeprecationWarning)
    sys.stdout.flush()
    sys.stderr.flush()
    _send(ctrl, {"event": "ready"})
    return _serve(ctrl, handler)


def _unsafe_to_fork(ctrl_fd: int) -> str | None:
    """Why forking this process would hand its children something they cannot share, or None.

    A Python thread would be missing in the child, maybe holding a lock the child then waits on forever.
    Threads started by C libraries are not counted: the one a Lambda init starts in practice is OpenBLAS's
    pool (numpy's import), which shuts itself down around fork() (pthread_atfork).
    """
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        names = ", ".join(t.name for t in threading.enumerate() if t is not threading.main_thread())
        return f"the init left Python threads running ({names})"
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the listing's own descriptor, already closed
        if target.startswith("socket:") and int(fd) != ctrl_fd:
            return "the init left a network connection open"
    return None


def _serve(ctrl: socket.socket, handler: str) -> int:
    children: set[int] = set()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so the wakeup fd hears of every exit
    sel = selectors.DefaultSelector()
    sel.register(ctrl, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is ctrl:
                try:
                    data, fds, _flags, _addr = socket.recv_fds(ctrl, _MAX_MESSAGE, 1)
                except ConnectionError:
                    data, fds = b"", []
                if not data:
                    _kill_all(children)
                    return 0
                request = json.loads(data)
                log_fd = fds[0]
                pid = os.fork()
                if pid == 0:
                    _become_environment(handler, request, log_fd, ctrl, wake_r, wake_w)
                os.close(log_fd)
                children.add(pid)
                _send(ctrl, {"event": "forked", "id": request["id"], "pid": pid})
            else:
                while True:
                    try:
                        if not os.read(wake_r, 4096):
                            break
                    except BlockingIOError:
                        break
            _reap(ctrl, children)


def _reap(ctrl: socket.socket, children: set[int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        _send(ctrl, {"event": "exited", "pid": pid, "code": os.waitstatus_to_exitcode(status)})


def _kill_all(children: set[int]) -> None:
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _become_environment(handler: str, request: dict, log_fd: int, *inherited: object) -> None:
    """In the forked child: detach from the template, take the environment's identity, run awslambdaric."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for item in inherited:
            if isinstance(item, socket.socket):
                item.close()
            else:
                os.close(int(item))  # type: ignore[call-overload]
        os.setsid()  # its own process group: a timeout kills the handler and everything it started
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(devnull)
        os.close(log_fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if "tempfile" in sys.modules:
            sys.modules["tempfile"].tempdir = None  # recomputed from this environment's TMPDIR
        from awslambdaric.__main__ import main as runtime_main

        runtime_main(["awslambdaric", handler])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - the child must never return into the template's loop
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - a stream that cannot flush at exit has no one to tell
                pass
        os._exit(code)


def _send(ctrl: socket.socket, message: dict) -> None:
    try:
        ctrl.send(json.dumps(message).encode())
    except OSError:
        pass  # the executor is gone; end of file on the next read ends the template


if __name__ == "__main__":
    sys.exit(main())
