"""The public Lambda Runtime API for one execution environment, served on 127.0.0.1:<ephemeral port>.

awslambdaric long-polls `GET /2018-06-01/runtime/invocation/next`, runs the handler, then posts
`.../invocation/{id}/response` or `.../invocation/{id}/error`; an import failure posts `.../init/error`.
The executor hands over one invocation at a time with `submit()` and waits with `wait_for_reply()`.
Stdlib only, so it can be tested without LocalStack.
"""

from __future__ import annotations

import dataclasses
import enum
import http.server
import io
import json
import logging
import re
import socketserver
import sys
import threading
import time
from typing import Any, cast

LOG = logging.getLogger(__name__)

API_PREFIX = "/2018-06-01/runtime"
_INVOCATION_PATH = re.compile(rf"^{API_PREFIX}/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")
_MAX_BODY = 32 * 1024 * 1024  # far above Lambda's 6 MB payload limit; only guards against nonsense


@dataclasses.dataclass(frozen=True)
class Invocation:
    request_id: str
    payload: bytes
    function_arn: str
    trace_id: str
    deadline_ms: int


@dataclasses.dataclass(frozen=True)
class Reply:
    """What the runtime posted for an invocation."""

    request_id: str
    body: bytes
    is_error: bool


class InitState(enum.Enum):
    STARTING = "starting"
    READY = "ready"  # the runtime asked for its first invocation: the handler module imported fine
    FAILED = "failed"  # the runtime posted /init/error (import error, syntax error, bad handler name)


class RuntimeApiServer:
    """Runtime API endpoint plus the hand-over state between LocalStack's invoke thread and the runtime.

    All state changes happen under one condition variable, so a waiter wakes on whatever comes first:
    a reply, an init error, the runtime process exiting (`runtime_exited`) or the server closing.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.init_state = InitState.STARTING
        self.init_error: bytes | None = None
        self.exit_code: int | None = None
        self._closed = False
        self._pending: Invocation | None = None  # submitted, not yet fetched by the runtime
        self._current: Invocation | None = None  # fetched by the runtime, reply outstanding
        self._reply: Reply | None = None
        self._httpd = _HttpServer(("127.0.0.1", 0), _RuntimeApiHandler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.5},
            name=f"lambda-runtime-api-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    # --- executor side ----------------------------------------------------------------------------------

    def wait_until_initialized(self, timeout: float) -> InitState:
        """Block until the runtime is ready, failed its init, exited, or the server closed (or timeout)."""
        with self._cond:
            self._cond.wait_for(
                lambda: (
                    self.init_state is not InitState.STARTING or self.exit_code is not None or self._closed
                ),
                timeout=timeout,
            )
            return self.init_state

    def submit(self, invocation: Invocation) -> None:
        with self._cond:
            self._reply = None
            self._pending = invocation
            self._cond.notify_all()

    def wait_for_reply(self, timeout: float) -> Reply | None:
        """The runtime's reply, or None on timeout / runtime exit / close (the caller checks which)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._reply is None and self.exit_code is None and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            reply, self._reply = self._reply, None
            if reply is None:
                self._pending = self._current = None
            return reply

    @property
    def closed(self) -> bool:
        return self._closed

    def runtime_exited(self, exit_code: int) -> None:
        with self._cond:
            self.exit_code = exit_code
            self._cond.notify_all()

    def close(self) -> None:
        """Stop serving; wakes every waiter. Idempotent."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        # shutdown() blocks until serve_forever notices (up to its poll interval): do it off the caller's
        # thread so a timed-out or crashed invocation returns at once.
        threading.Thread(
            target=self._shut_down_http, name=f"lambda-runtime-api-close-{self.port}", daemon=True
        ).start()

    def _shut_down_http(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- runtime side (called from HTTP handler threads) ------------------------------------------------

    def _next_invocation(self) -> Invocation | None:
        with self._cond:
            if self.init_state is InitState.STARTING:
                self.init_state = InitState.READY
                self._cond.notify_all()
            # Long poll: the runtime sits here between invocations (that is the "frozen" state).
            self._cond.wait_for(lambda: self._pending is not None or self._closed)
            if self._closed:
                return None
            self._current, self._pending = self._pending, None
            return self._current

    def _post_reply(self, request_id: str, body: bytes, is_error: bool) -> bool:
        with self._cond:
            if self._current is None or self._current.request_id != request_id:
                return False  # late reply for an invocation that already timed out
            self._reply = Reply(request_id, body, is_error)
            self._current = None
            self._cond.notify_all()
            return True

    def _post_init_error(self, body: bytes) -> None:
        with self._cond:
            self.init_error = body
            self.init_state = InitState.FAILED
            self._cond.notify_all()


class _HttpServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True  # a runtime parked in /next must never block shutdown
    block_on_close = False  # nor may a connection thread of a runtime that is being killed
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, api: RuntimeApiServer) -> None:
        self.api = api
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A runtime killed at a timeout or crash drops its connection mid-request: expected, not worth a
        # traceback on LocalStack's console (the default handler prints one).
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            LOG.debug("runtime api %s: connection dropped: %s", self.api.port, exc)
            return
        # socketserver calls handle_error inside its except block: exc_info is the error being handled.
        LOG.warning("runtime api %s: error while serving the Lambda runtime", self.api.port,
                    exc_info=True)  # noqa: LOG014


class _RuntimeApiHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the runtime client keeps its connection alive between invocations
    # TCP_NODELAY: without it, every small response waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        self.rfile = cast(io.BufferedIOBase, _LongLineTolerantReader(self.rfile))

    def log_message(self, format: str, *args: Any) -> None:  # signature from the base class
        # `format` is http.server's %-style format for `args`, so it joins the message format.
        LOG.debug("runtime api %s: " + format, self.server.api.port, *args)  # noqa: G003

    def do_GET(self) -> None:  # http.server naming
        if self.path != f"{API_PREFIX}/invocation/next":
            return self._send_json(404, {"errorType": "NotFound", "errorMessage": self.path})
        invocation = self.server.api._next_invocation()
        if invocation is None:
            return self._send_json(410, {"errorType": "EnvironmentStopped", "errorMessage": "shutting down"})
        self._send(
            200,
            invocation.payload,
            {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                "Lambda-Runtime-Trace-Id": invocation.trace_id,
            },
        )

    def do_POST(self) -> None:  # http.server naming
        body = self._read_body()
        if body is None:
            self.close_connection = True  # the rest of the body is still unread on this connection
            return self._send_json(413, {"errorType": "RequestTooLarge", "errorMessage": "body too large"})
        api = self.server.api
        if self.path == f"{API_PREFIX}/init/error":
            api._post_init_error(body)
            return self._send_json(202, {"status": "OK"})
        match = _INVOCATION_PATH.match(self.path)
        if not match:
            return self._send_json(404, {"errorType": "NotFound", "errorMessage": self.path})
        if not api._post_reply(match["id"], body, is_error=match["kind"] == "error"):
            return self._send_json(
                400, {"errorType": "InvalidRequestID", "errorMessage": "unknown request id"}
            )
        self._send_json(202, {"status": "OK"})

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return _read_chunked(self.rfile)
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _send_json(self, status: int, doc: dict[str, str]) -> None:
        self._send(status, json.dumps(doc).encode())

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _read_chunked(rfile: io.BufferedIOBase) -> bytes | None:
    parts: list[bytes] = []
    total = 0
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            rfile.readline()  # blank line after the last chunk (no trailers from the runtime client)
            return b"".join(parts)
        total += size
        if total > _MAX_BODY:
            return None
        parts.append(rfile.read(size))
        rfile.readline()


class _LongLineTolerantReader:
    """Wraps the request stream so over-long header lines are truncated instead of rejected.

    http.server answers 431 to any header line over 64 KiB, and the runtime client then crashes; its
    X-Ray error-cause header for a deep traceback (RecursionError) can be that long. We never read it.
    """

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self._raw = raw

    def readline(self, limit: int = -1) -> bytes:
        line = self._raw.readline()
        if limit > 2 and len(line) >= limit:
            return line[: limit - 3] + b"\r\n"
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)
