"""A summary's facts, computed from the messages (pure): counts, participants, decisions, action items and
open questions; and the map-reduce prompts for the overview, each chunk within the model's budget."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from teamlens.agents.narrative import DATA_NOT_INSTRUCTIONS, LANGUAGE_NAMES
from teamlens.agents.summarize.messages import Message
from teamlens.agents.summarize.signals import assignee, due_date, kinds
from teamlens.text_budget import pack_lines, truncate

LINE_TOKENS = 60       # one message in a digest, at most
CHUNK_TOKENS = 1400    # one map call's messages (the model's context is 4K with instructions and answer)
MAX_ITEMS = 25         # per list, newest dropped last: a summary is not a transcript


class Item(BaseModel):
    text: str
    author: str
    ts: str
    sent: datetime
    permalink: str = ""
    owner: str | None = None
    due: date | None = None


class Participant(BaseModel):
    user: str
    name: str
    messages: int


class Stats(BaseModel):
    messages: int
    threads: int
    participants: list[Participant]


def stats(messages: Sequence[Message]) -> Stats:
    counts = Counter(m.user for m in messages)
    names = {m.user: m.author for m in messages}
    threads = {m.thread_ts for m in messages if m.thread_ts and m.thread_ts != m.ts} | {
        m.ts for m in messages if m.reply_count}
    return Stats(messages=len(messages), threads=len(threads),
                 participants=[Participant(user=u, name=names[u], messages=n) for u, n in counts.most_common()])


def extract(messages: Sequence[Message], names: dict[str, str], tz: str) -> dict[str, list[Item]]:
    zone = ZoneInfo(tz)
    out: dict[str, list[Item]] = {"decisions": [], "action_items": [], "open_questions": []}
    for m in messages:
        found = kinds(m.text)
        item: dict[str, Any] = {"text": truncate(m.text, 120), "author": m.author, "ts": m.ts, "sent": m.sent}
        if "decision" in found:
            out["decisions"].append(Item(**item))
        if "action" in found:
            owner = assignee(m.text, m.user)
            out["action_items"].append(Item(**item, owner=names.get(owner, owner),
                                            due=due_date(m.text, m.sent.astimezone(zone).date())))
        if "question" in found and not _answered(m, messages):
            out["open_questions"].append(Item(**item))
    return {k: v[-MAX_ITEMS:] for k, v in out.items()}


def _answered(question: Message, messages: Sequence[Message]) -> bool:
    thread = question.thread_ts or question.ts
    return any((m.thread_ts or m.ts) == thread and float(m.ts) > float(question.ts) and m.user != question.user
               for m in messages)


def digest_lines(messages: Sequence[Message], tz: str) -> list[str]:
    zone = ZoneInfo(tz)
    return [f"[{m.sent.astimezone(zone):%m-%d %H:%M}] {m.author}: {truncate(' '.join(m.text.split()), LINE_TOKENS)}"
            for m in messages]


def chunks(lines: Sequence[str], budget: int = CHUNK_TOKENS) -> list[str]:
    return pack_lines(list(lines), budget)


def _system(language: str) -> SystemMessage:
    return SystemMessage(
        f"You summarize a team's Slack conversation for a busy reader. Write in {LANGUAGE_NAMES[language]}, "
        f"plain sentences, no lists, no greetings. Name people and concrete topics; do not invent numbers. "
        + DATA_NOT_INSTRUCTIONS)


def map_messages(chunk: str, language: str) -> list[BaseMessage]:
    return [_system(language), HumanMessage(
        f"<data>\n{chunk}\n</data>\n\nIn at most three sentences, what was discussed and what happened?")]


def reduce_messages(partials: Sequence[str], language: str, facts: str) -> list[BaseMessage]:
    joined = "\n".join(f"- {p}" for p in partials)
    return [_system(language), HumanMessage(
        f"<data>\nNotes on consecutive parts of the conversation:\n{joined}\n\nFacts: {facts}\n</data>\n\n"
        "Combine the notes into one overview of at most four sentences.")]


def period_label(since: datetime, until: datetime, tz: str) -> str:
    zone = ZoneInfo(tz)
    last = (until - timedelta(microseconds=1)).astimezone(zone)
    return f"{since.astimezone(zone):%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M} ({tz})"


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
