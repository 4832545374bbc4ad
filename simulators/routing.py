"""A router over raw path segments, so URL-encoded ids such as 'kumo%2Fbooking-api' or 'src%2Fapp.py'
stay one segment, as GitLab expects (Starlette's router would see the decoded '/')."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    method: str
    parts: tuple[str, ...]
    handler: Handler


class SegmentRouter:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append(Route(method, tuple(p for p in pattern.strip("/").split("/") if p), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.add(method, pattern, fn)
            return fn
        return deco

    def match(self, request: Request) -> tuple[Handler | None, dict[str, Any], bool]:
        """(handler, path params, path matched with another method)."""
        raw = request.scope.get("raw_path") or request.url.path.encode()
        raw_path = raw.decode("latin-1").split("?", 1)[0]
        segments = [unquote(s) for s in raw_path.strip("/").split("/") if s]
        other_method = False
        for route in self.routes:
            if len(route.parts) != len(segments):
                continue
            params: dict[str, Any] = {}
            for part, seg in zip(route.parts, segments):
                if part.startswith("{") and part.endswith("}"):
                    name, _, kind = part[1:-1].partition(":")
                    if kind == "int":
                        if not seg.isdigit():
                            break
                        params[name] = int(seg)
                    else:
                        params[name] = seg
                elif part != seg:
                    break
            else:
                if route.method == request.method or (route.method == "GET" and request.method == "HEAD"):
                    return route.handler, params, False
                other_method = True
        return None, {}, other_method
