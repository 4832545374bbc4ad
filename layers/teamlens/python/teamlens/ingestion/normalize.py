"""Raw objects (as the fetch step stores them in S3) to normalized Documents, by the object's key.

    raw/slack/threads/<channel_id>/<thread_ts>.json    → slack:thread:<channel_id>:<thread_ts>
    raw/slack/days/<channel_id>/<YYYY-MM-DD>.json      → slack:day:<channel_id>:<YYYY-MM-DD>
    raw/gitlab/merge_requests/<project_id>/<iid>.json  → gitlab:mr:<project_id>:<iid>, and per changed file
                                                         gitlab:mr_diff:<project_id>:<iid>:<new_path>
    raw/gitlab/issues/<project_id>/<iid>.json          → gitlab:issue:<project_id>:<iid>
    raw/gitlab/files/<project_id>/<url-encoded path>.json → gitlab:code:<project_id>:<path>
    raw/backlog/issues/<project_key>/<issue_key>.json  → backlog:issue:<issue_key>

Pure functions: the same raw object always gives the same documents. Project records
(raw/gitlab/projects/, raw/backlog/projects/) are context for the others and give no documents.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from teamlens.documents import Document
from teamlens.ingestion import normalize_backlog, normalize_gitlab, normalize_slack

CONTEXT_PREFIXES = ("raw/gitlab/projects/", "raw/backlog/projects/")


class UnknownRawKey(ValueError):
    """A raw object whose key no normalizer knows: the fetch step wrote something new."""


def _stem(key: str) -> tuple[str, str]:
    """(<id>, <name>) from '.../<id>/<name>.json'."""
    parent, _, name = key.removesuffix(".json").rpartition("/")
    return parent.rpartition("/")[2], name


NORMALIZERS: dict[str, Callable[[str, dict[str, Any]], list[Document]]] = {
    "raw/slack/threads/": lambda key, raw: normalize_slack.thread_document(*_stem(key), raw),
    "raw/slack/days/": lambda key, raw: normalize_slack.day_document(*_stem(key), raw),
    "raw/gitlab/merge_requests/": lambda key, raw: normalize_gitlab.merge_request_documents(raw),
    "raw/gitlab/issues/": lambda key, raw: normalize_gitlab.issue_documents(raw),
    "raw/gitlab/files/": lambda key, raw: normalize_gitlab.file_documents(
        {**raw, "file_path": raw.get("file_path") or unquote(_stem(key)[1])}),
    "raw/backlog/issues/": lambda key, raw: normalize_backlog.issue_documents(raw),
}


def documents_from_raw(key: str, raw: dict[str, Any]) -> list[Document]:
    """The documents one raw object holds (none for context records and emptied threads)."""
    if key.startswith(CONTEXT_PREFIXES):
        return []
    for prefix, normalize in NORMALIZERS.items():
        if key.startswith(prefix):
            try:
                return normalize(key, raw)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"raw object {key} is not in the shape its normalizer expects: "
                                 f"{type(exc).__name__}: {exc}") from exc
    raise UnknownRawKey(f"no normalizer for raw object {key}: expected a key under "
                        f"{', '.join(NORMALIZERS)} or {', '.join(CONTEXT_PREFIXES)}")
