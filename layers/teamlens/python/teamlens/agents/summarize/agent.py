"""The Slack summary job: read the channel (or thread) for the range, compute counts and items from the
messages, link each item to its message, and have the model write the overview map-reduce."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from teamlens.agents import connections
from teamlens.agents.args import SummarizeSlackArgs
from teamlens.agents.errors import AgentError, NotFound
from teamlens.agents.narrative import NarrativeUnavailable, write
from teamlens.agents.periods import PeriodError, resolve_period
from teamlens.agents.summarize import digest, render
from teamlens.agents.summarize.messages import (
    channel_messages,
    find_channel,
    parse_thread,
    thread_messages,
    user_names,
)
from teamlens.orchestrator.dates import DEFAULT_TZ


def run(raw: dict[str, Any], *, progress, slack=None, model=None, now: datetime | None = None,
        tz: str = DEFAULT_TZ) -> dict[str, Any]:
    args = SummarizeSlackArgs.model_validate(raw)
    slack = slack or connections.slack()
    now = now or datetime.now(UTC)
    progress("reading Slack")
    names = user_names(slack)
    if args.thread:
        channel_id, thread_ts = parse_thread(args.thread)
        messages = thread_messages(slack, channel_id, thread_ts, names)
        if not messages:
            raise NotFound(f"Slack thread {channel_id}:{thread_ts} has no messages")
        since, until = messages[0].sent, messages[-1].sent
        where = f"thread {channel_id}:{thread_ts}"
        channel = {"id": channel_id}
    else:
        try:
            since, until = resolve_period(args, now, tz=tz)
        except PeriodError as exc:
            raise AgentError(str(exc)) from None
        channel = find_channel(slack, args.channel or "")
        messages = channel_messages(slack, channel["id"], since, until, names)
        where = f"#{channel.get('name', channel['id'])}"

    stats = digest.stats(messages)
    items = digest.extract(messages, names, tz)
    progress("linking messages", 0, sum(len(v) for v in items.values()))
    for item in (i for group in items.values() for i in group):
        item.permalink = slack.permalink(channel["id"], item.ts)

    overview, why = None, None
    if messages:
        try:
            overview = _overview(messages, stats, args.language, tz, model or connections.writer(), progress)
        except NarrativeUnavailable as exc:
            why = str(exc)
    else:
        why = "no messages in this range"

    period = digest.period_label(since, until, tz)
    result = {
        "channel": {"id": channel["id"], "name": channel.get("name")}, "thread": args.thread,
        "since": since.isoformat(), "until": until.isoformat(), "language": args.language,
        "stats": stats.model_dump(), "overview": overview,
        **{k: [i.model_dump(mode="json") for i in v] for k, v in items.items()},
        "markdown": render.markdown(where=where, period=period, language=args.language, stats=stats,
                                    overview=overview, why=why, items=items),
        "warnings": [why] if why and messages else [],
    }
    return result


def _overview(messages, stats: digest.Stats, language: str, tz: str, model, progress) -> str:
    parts = digest.chunks(digest.digest_lines(messages, tz))
    partials = []
    for n, chunk in enumerate(parts, start=1):
        progress("summarizing", n - 1, len(parts) + (len(parts) > 1))
        partials.append(write(model, digest.map_messages(chunk, language)))
    if len(partials) == 1:
        return partials[0]
    progress("summarizing", len(parts), len(parts) + 1)
    facts = (f"{stats.messages} messages, {stats.threads} threads, {len(stats.participants)} participants "
             f"(most active: {', '.join(p.name for p in stats.participants[:3])})")
    return write(model, digest.reduce_messages(partials, language, facts))
