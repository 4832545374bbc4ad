"""References a request names, found by pattern (pure): merge requests, Slack channels and threads,
Backlog issue keys, GitLab projects."""
from __future__ import annotations

import re
import unicodedata

from teamlens.orchestrator.intents import MRRef

_TRAIL = ".,;:!?)]}>、。！？）」』"
MR_URL = re.compile(r"https?://[^\s<>]+?/(?P<project>[\w.-]+(?:/[\w.-]+)+)/-/merge_requests/(?P<iid>\d+)")
# ASCII lookarounds, not \b: in "booking-api!12をレビュー" there is no word boundary between 2 and を.
MR_REF = re.compile(r"(?<![A-Za-z0-9_./-])(?P<project>[a-z0-9][a-z0-9_.-]*(?:/[a-z0-9_.-]+)*)?!(?P<iid>\d+)(?!\d)", re.I)
MR_WORDS = re.compile(r"(?<![A-Za-z])(?:MR|merge request|マージリクエスト|PR|pull request)\s*#?\s*(?P<iid>\d+)(?!\d)", re.I)
SLACK_PERMALINK = re.compile(r"https?://[^\s<>]+/archives/(?P<channel>[A-Z0-9]+)/p(?P<ts>\d{16})[^\s<>]*")
# A channel name has a letter: "#12" is an issue or MR number.
CHANNEL = re.compile(r"(?<![A-Za-z0-9_&])#(?P<name>(?=[a-z0-9_-]*[a-z])[a-z0-9][a-z0-9_-]{0,79})", re.I)
CHANNEL_WORDS = re.compile(r"\b(?P<name>[a-z0-9][a-z0-9_-]+)\s+(?:channel)\b|(?:channel|kênh)\s+#?(?P<name2>[a-z0-9][a-z0-9_-]+)|(?P<name3>[a-z0-9][a-z0-9_-]+)\s*チャンネル", re.I)
BACKLOG_KEY = re.compile(r"\b(?P<key>[A-Z][A-Z0-9_]+-\d+)\b")
# A Backlog project key named as a project ("the BOOK project", "BOOKプロジェクト", "dự án BOOK", "in Backlog
# BOOK"): upper case, no issue number after it.
_KEY = r"(?<![A-Za-z0-9_-])(?P<{0}>[A-Z][A-Z0-9_]{{1,24}})(?![A-Za-z0-9_]|-\d)"
BACKLOG_PROJECT = re.compile("|".join((
    r"(?i:\b(?:project|backlog|dự án)\s+)" + _KEY.format("a"),
    _KEY.format("b") + r"\s*(?i:project|プロジェクト|の課題|課題)",
    r"(?i:backlog.*\b(?:in|to|into|for|under)\s+)" + _KEY.format("c"),  # "create a Backlog issue in PAY"
)))
PROJECT_PATH = re.compile(r"(?<![A-Za-z0-9_./-])(?P<path>[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*[a-z0-9])", re.I)


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and ＃！ into ASCII, so patterns see one form."""
    return unicodedata.normalize("NFKC", text)


def mr_reference(text: str) -> MRRef | None:
    text = normalize(text)
    if m := MR_URL.search(text):
        return MRRef(project=m["project"], iid=int(m["iid"]), url=m.group(0).rstrip(_TRAIL))
    if m := MR_REF.search(text):
        return MRRef(project=m["project"] or None, iid=int(m["iid"]))
    if m := MR_WORDS.search(text):
        return MRRef(project=project_path(text), iid=int(m["iid"]))
    return None


def slack_thread(text: str) -> tuple[str, str] | None:
    """(channel id, thread ts) of a Slack permalink in the text."""
    if m := SLACK_PERMALINK.search(normalize(text)):
        ts = m["ts"]
        return m["channel"], f"{ts[:10]}.{ts[10:]}"
    return None


def channel(text: str) -> str | None:
    text = normalize(text)
    if m := CHANNEL.search(text):
        return m["name"].lower()
    if m := CHANNEL_WORDS.search(text):
        name = m["name"] or m["name2"] or m["name3"]
        return name.lower() if name.lower() not in ("the", "this", "that", "slack") else None
    return None


def backlog_keys(text: str) -> list[str]:
    return list(dict.fromkeys(m["key"] for m in BACKLOG_KEY.finditer(normalize(text))))


def backlog_project(text: str) -> str | None:
    """The key of a Backlog project the text names as a project (keys are upper case)."""
    for m in BACKLOG_PROJECT.finditer(normalize(text)):
        return m["a"] or m["b"] or m["c"]
    return None


def project_path(text: str) -> str | None:
    text = normalize(text)
    for m in PROJECT_PATH.finditer(text):
        if "://" not in text[max(0, m.start() - 3):m.start() + 3] and not m["path"].startswith(("http", "www")):
            return m["path"]
    return None
