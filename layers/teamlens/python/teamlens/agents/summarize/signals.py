"""What a Slack message is, for a summary: a decision, an action item (with owner and due date when stated),
or a question (pure, multilingual: en/ja/vi).

Cue phrases, not the model: on 2 cores a small model cannot read a channel-week message by message, and a
summary's items must link the exact message they come from. The model writes the overview around them.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

Kind = Literal["decision", "action", "question"]

_DECISION = re.compile(
    r"\b(?:we(?:'ve| have)? decided|decision\s*:|decided to|let'?s go with|we(?:'ll| will) go with|agreed to|"
    r"final(?:ly)? call|we will use)\b"
    r"|決めました|決定(?:です|しました|事項)|にしましょう|ましょう。|とします|方針で|に移します|延期します|対象外に"
    r"|quyết định|\bchốt\b|thống nhất|sẽ dùng", re.I)
_COMMIT = re.compile(
    r"\b(?:I'?ll|I will|I'm going to|will do|on it|action item|TODO)\b|\bwill\b[^.?!\n]{0,80}\b(?:by|before)\b"
    r"|(?:日|曜日?|[)）])\s*までに|まで[）)]|やります|対応します|担当します|私が作ります|僕が"
    r"|\b(?:em|tôi|mình|anh|chị) (?:sẽ|nhận)\b|xong trước|\bem nhận\b", re.I)
_REQUEST = re.compile(r"\b(?:please|can you|could you)\b|お願いします|お願いできますか|nhờ|giúp", re.I)
_QUESTION = re.compile(r"[?？]\s*$|[?？]\s|\bkhông\?|でしょうか|ですか[。？?]?$", re.M)
_MENTION = re.compile(r"<@([A-Z0-9]+)>")

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}
_EN_DATE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})\b", re.I)
_JA_DATE = re.compile(r"(\d{1,2})月\s*(\d{1,2})日")
_VI_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|(月|火|水|木|金|土|日)曜"
    r"|thứ (hai|ba|tư|năm|sáu|bảy)|(chủ nhật)", re.I)
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_JA_DAYS = "月火水木金土日"
_VI_DAYS = ("hai", "ba", "tư", "năm", "sáu", "bảy")


def kinds(text: str) -> set[Kind]:
    found: set[Kind] = set()
    if _DECISION.search(text):
        found.add("decision")
    # Only whether a due date is named matters here, not which day it is (so the local date will do).
    if _COMMIT.search(text) or (_REQUEST.search(text) and _MENTION.search(text)
                                and due_date(text, date.today())):  # noqa: DTZ011
        found.add("action")
    if _QUESTION.search(text) and "decision" not in found:
        found.add("question")
    return found


def assignee(text: str, author: str) -> str:
    """The owner of an action item: whoever a request names (`<@U…> please …`), else the author."""
    m = _MENTION.search(text)
    return m[1] if m and _REQUEST.search(text) and not _COMMIT.search(text) else author


def due_date(text: str, sent: date) -> date | None:
    """The date a message commits to, read relative to the day it was sent (the next such day)."""
    if m := _ISO_DATE.search(text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    for pattern, order in ((_EN_DATE, "md"), (_JA_DATE, "md"), (_VI_DATE, "dm")):
        if m := pattern.search(text):
            first, second = m[1], m[2]
            month = _MONTHS[first[:3].lower()] if not first.isdigit() else int(first if order == "md" else second)
            day = int(second if order == "md" else first)
            if found := _upcoming(sent, month, day):
                return found
    if m := _WEEKDAY.search(text):
        if m[1]:
            target = _EN_DAYS.index(m[1].lower())
        elif m[2]:
            target = _JA_DAYS.index(m[2])
        elif m[3]:
            target = _VI_DAYS.index(m[3].lower())
        else:
            target = 6
        return sent + timedelta(days=(target - sent.weekday()) % 7)
    return None


def _upcoming(sent: date, month: int, day: int) -> date | None:
    try:
        found = date(sent.year, month, day)
    except ValueError:
        return None
    # "by 1/12" written on 2026-12-28 means next January; a date far in the past is next year's.
    if (sent - found).days > 180:
        found = date(sent.year + 1, month, day)
    return found
