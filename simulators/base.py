"""What the three simulators share: the ASGI entry, the fault switch, the /_sim admin routes, JSON responses
whose canonical demo hosts are rewritten to live base URLs, and the record of what clients wrote."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from simulators.routing import SegmentRouter
from simulators.settings import CANONICAL, SimSettings

log = logging.getLogger("simulators")
FAULT_MODES = ("none", "rate_limit", "error_500", "slow", "down")


class Reply(Exception):
    """Raised by a handler to answer at once with a ready response (errors, mostly)."""

    def __init__(self, response: Response) -> None:
        super().__init__(getattr(response, "status_code", 0))
        self.response = response


@dataclass
class Faults:
    """The switch tests flip at run time. `count` limits it to the next N API requests (0 = until changed);
    `match` limits it to paths containing that text (e.g. 'conversations.history')."""
    mode: str = "none"
    count: int = 0
    delay_s: float = 5.0
    retry_after: int = 1
    match: str = ""
    applied: int = 0

    def take(self, path: str) -> str:
        if self.mode == "none" or (self.match and self.match not in path):
            return "none"
        mode = self.mode
        self.applied += 1
        if self.count:
            self.count -= 1
            if self.count == 0:
                self.mode = "none"
        return mode


class SimulatorApp:
    """Subclasses register routes on `self.router`, load state in `load()` and shape errors per service."""

    service = ""

    def __init__(self, data_dir: Path, settings: SimSettings | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.settings = settings or SimSettings.from_env(self.service)
        self.router = SegmentRouter()
        self.faults = Faults()
        self.posted: list[dict[str, Any]] = []
        self.requests_seen = 0
        self._admin_routes()
        self.routes()
        self.load()

    # -- to override ---------------------------------------------------------------------------------
    def routes(self) -> None:
        raise NotImplementedError

    def load(self) -> None:
        raise NotImplementedError

    def fault_reply(self, mode: str, request: Request) -> Response:
        """rate_limit and error_500 in the service's own error shape."""
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        return JSONResponse({"message": "404 Not Found"}, status_code=404)

    def internal_error(self, request: Request) -> Response:
        return JSONResponse({"message": "500 Internal Server Error"}, status_code=500)

    def check_auth(self, request: Request) -> Response | None:
        """None when the request carries an accepted credential, else the service's auth error."""
        return None

    def decorate(self, request: Request, response: Response) -> None:
        """Headers every API response carries (Backlog's X-RateLimit-*)."""

    # -- helpers ---------------------------------------------------------------------------------------
    def base_url(self, request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def rewrite(self, request: Request, text: str) -> str:
        own = self.base_url(request)
        for service, canonical in CANONICAL.items():
            target = own if service == self.service else self.settings.peer_urls.get(service)
            if target:
                text = text.replace(canonical, target)
        return text

    def json(self, request: Request, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        text = self.rewrite(request, json.dumps(body, ensure_ascii=False))
        return Response(text, status_code=status, headers=headers, media_type="application/json; charset=utf-8")

    def text(self, request: Request, body: str, status: int = 200, media_type: str = "text/plain") -> Response:
        return Response(self.rewrite(request, body), status_code=status, media_type=media_type)

    async def params(self, request: Request) -> dict[str, Any]:
        """Query, form (with a[b] nesting and a[] lists) or JSON body parameters, merged; the body wins."""
        data: dict[str, Any] = {}
        pairs = list(request.query_params.multi_items())
        ctype = request.headers.get("content-type", "")
        if "json" in ctype:
            data.update(_flatten_pairs(pairs))
            data.update(await _json_body(request))
            return data
        if "form" in ctype:
            form = await request.form()
            pairs += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        data.update(_flatten_pairs(pairs))
        return data

    def record(self, kind: str, **data: Any) -> None:
        self.posted.append({"kind": kind, "at": time.time(), **data})

    # -- ASGI ------------------------------------------------------------------------------------------
    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        admin = path.startswith("/_sim/")
        if not admin:
            self.requests_seen += 1
            mode = self.faults.take(path)
            if mode == "down":
                # What a client sees when the service is down behind its load balancer.
                return HTMLResponse("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                                    status_code=503, headers={"Connection": "close"})
            if mode == "slow":
                await asyncio.sleep(self.faults.delay_s)
            elif mode in ("rate_limit", "error_500"):
                return self.fault_reply(mode, request)
            denied = self.check_auth(request)
            if denied is not None:
                self.decorate(request, denied)
                return denied
        handler, params, wrong_method = self.router.match(request)
        if handler is None:
            if wrong_method:
                return JSONResponse({"message": "405 Method Not Allowed"}, status_code=405)
            return self.not_found(request)
        try:
            response = await handler(request, **params)
        except Reply as reply:
            response = reply.response
        except Exception:  # noqa: BLE001 - a simulator bug: a clear 500, its traceback in the log
            log.error("handler failed for %s %s\n%s", request.method, path, traceback.format_exc())
            response = self.internal_error(request)
        if not admin:
            self.decorate(request, response)
        return response

    # -- /_sim admin routes ------------------------------------------------------------------------------
    def _admin_routes(self) -> None:
        r = self.router

        @r.route("GET", "/_sim/health")
        async def health(request: Request) -> Response:
            return JSONResponse({"status": "ok", "service": self.service, "faults": asdict(self.faults),
                                 "requests": self.requests_seen})

        @r.route("POST", "/_sim/reset")
        async def reset(request: Request) -> Response:
            self.faults = Faults()
            self.posted.clear()
            self.requests_seen = 0
            self.load()
            return JSONResponse({"status": "reset", "service": self.service})

        @r.route("GET", "/_sim/faults")
        async def get_faults(request: Request) -> Response:
            return JSONResponse(asdict(self.faults))

        @r.route("POST", "/_sim/faults")
        async def set_faults(request: Request) -> Response:
            body = await _json_body(request)
            mode = body.get("mode", "none")
            if mode not in FAULT_MODES:
                return JSONResponse({"error": f"mode must be one of {', '.join(FAULT_MODES)}"}, status_code=400)
            self.faults = Faults(mode=mode, count=int(body.get("count", 0)),
                                 delay_s=float(body.get("delay_s", 5.0)), retry_after=int(body.get("retry_after", 1)),
                                 match=str(body.get("match", "")))
            return JSONResponse(asdict(self.faults))

        @r.route("GET", "/_sim/posted")
        async def posted(request: Request) -> Response:
            return self.json(request, {"service": self.service, "posted": self.posted})


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise Reply(JSONResponse({"error": f"body is not JSON: {exc}"}, status_code=400)) from exc
    if not isinstance(data, dict):
        raise Reply(JSONResponse({"error": "body must be a JSON object"}, status_code=400))
    return data


json_body = _json_body


def _flatten_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key.endswith("[]"):
            out.setdefault(key, []).append(value)
        elif "[" in key and key.endswith("]"):
            outer, _, inner = key[:-1].partition("[")
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def plain(text: str, status: int = 200) -> Response:
    return PlainTextResponse(text, status_code=status)
