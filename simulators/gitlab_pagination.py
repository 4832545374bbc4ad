"""GitLab's offset pagination: page/per_page in, X-* and Link headers out."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from simulators.base import Reply

MAX_PER_PAGE = 100
COUNT_LIMIT = 10_000   # above this GitLab omits X-Total, X-Total-Pages and rel="last"


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        from starlette.responses import JSONResponse
        raise Reply(JSONResponse({"error": f"{name} is invalid"}, status_code=400)) from None


def paginate(request: Request, items: Sequence[Any], base_url: str) -> tuple[list[Any], dict[str, str]]:
    page = max(1, _int_param(request, "page", 1))
    per_page = _int_param(request, "per_page", 20)
    per_page = 20 if per_page < 1 else min(per_page, MAX_PER_PAGE)
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    chunk = list(items[(page - 1) * per_page: page * per_page])
    next_page = page + 1 if page < pages else None
    prev_page = page - 1 if page > 1 and page - 1 <= pages else None
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]

    def link(p: int) -> str:
        return f"{base_url}{request.url.path}?{urlencode(query + [('page', p), ('per_page', per_page)])}"

    links = []
    if prev_page:
        links.append(f'<{link(prev_page)}>; rel="prev"')
    if next_page:
        links.append(f'<{link(next_page)}>; rel="next"')
    links.append(f'<{link(1)}>; rel="first"')
    headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Next-Page": str(next_page or ""),
               "X-Prev-Page": str(prev_page or "")}
    if total <= COUNT_LIMIT:
        links.append(f'<{link(pages)}>; rel="last"')
        headers.update({"X-Total": str(total), "X-Total-Pages": str(pages)})
    headers["Link"] = ", ".join(links)
    return chunk, headers
