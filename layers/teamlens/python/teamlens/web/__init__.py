"""The web chat page, served by the API at `GET /` (static: it calls the same API with the user's key)."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def chat_page() -> str:
    return files(__package__).joinpath("index.html").read_text(encoding="utf-8")
