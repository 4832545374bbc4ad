"""The report job: numbers from Backlog and GitLab for the period, a narrative around them, a markdown
preview, and the confirmation token that a confirm call must present before anything is posted."""
from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langchain_core.messages import HumanMessage, SystemMessage

from teamlens.agents import connections
from teamlens.agents.args import ReportArgs
from teamlens.agents.errors import AgentError
from teamlens.agents.narrative import (
    DATA_NOT_INSTRUCTIONS,
    LANGUAGE_NAMES,
    NarrativeUnavailable,
    echoes,
    write,
)
from teamlens.agents.periods import PeriodError, resolve_period
from teamlens.agents.report import numbers, render
from teamlens.agents.report.data import collect
from teamlens.agents.summarize.digest import period_label
from teamlens.orchestrator.dates import DEFAULT_TZ

CONFIRM_WITHIN = timedelta(days=7)


def narrative_messages(kind: str, language: str, facts: dict[str, Any]):
    return [SystemMessage(
        f"You comment on a team status report in {LANGUAGE_NAMES[language]}: one or two plain sentences on "
        "what needs attention (risks, people with many overdue items). Write no digits and no numbers at all: "
        "the report's tables carry them. " + DATA_NOT_INSTRUCTIONS),
        HumanMessage(f"Report: {kind}\n<data>\n{json.dumps(facts, ensure_ascii=False, default=str)}\n</data>")]


def run(raw: dict[str, Any], *, progress, backlog=None, gitlab=None, model=None, now: datetime | None = None,
        tz: str = DEFAULT_TZ) -> dict[str, Any]:
    args = ReportArgs.model_validate(raw)
    now = now or datetime.now(UTC)
    try:
        since, until = resolve_period(args, now, default="last week", tz=tz)
    except PeriodError as exc:
        raise AgentError(str(exc)) from None
    as_of = min(until, now)
    as_of_day = as_of.astimezone(ZoneInfo(tz)).date()
    progress("reading Backlog and GitLab")
    data = collect(backlog if backlog is not None else connections.backlog(),
                   gitlab if gitlab is not None else connections.gitlab(), since, until, args.project)

    progress("computing numbers")
    backlog_n = {k: numbers.backlog_numbers(v, data.closed_at, since, until, as_of_day) for k, v in data.issues.items()}
    gitlab_n = {p: numbers.gitlab_numbers(v, data.first_review, since, until, as_of)
                for p, v in data.merge_requests.items()}
    assignees = (numbers.by_assignee([i for v in data.issues.values() for i in v], data.closed_at, since, until,
                                     as_of_day) if args.report_kind == "weekly_assignee" else None)
    facts = {"backlog": {k: n.model_dump(exclude={"overdue_issues"}) for k, n in backlog_n.items()},
             "gitlab": {k: n.model_dump() for k, n in gitlab_n.items()}}
    if assignees:
        facts["assignees"] = {k: n.model_dump(exclude={"overdue_issues"}) for k, n in assignees.items()}

    progress("writing the narrative")
    # The numbers' sentence is made from the data; the model adds what needs attention, in words only: a small
    # model miscounts and mislabels numbers, so a sentence of its with any digit is not used.
    narrative, why = render.plain_narrative(args.language, backlog_n, gitlab_n), None
    try:
        prompt = narrative_messages(args.report_kind, args.language, facts)
        comment = write(model or connections.writer(max_tokens=120), prompt)
        if comment and not re.search(r"\d", comment) and not echoes(comment, str(prompt[0].content)):
            narrative = f"{narrative} {comment}"
    except NarrativeUnavailable as exc:
        why = str(exc)

    period = period_label(since, until, tz)
    preview = render.markdown(kind=args.report_kind, language=args.language, period=period,
                              as_of=as_of.isoformat(timespec="minutes"), narrative=narrative, why=why,
                              backlog=backlog_n, gitlab=gitlab_n, assignees=assignees)
    title = f"{render.LABELS[args.language][args.report_kind]} {since.astimezone(ZoneInfo(tz)):%Y-%m-%d}"
    return {
        "report_kind": args.report_kind, "project": args.project, "language": args.language,
        "since": since.isoformat(), "until": until.isoformat(), "as_of": as_of.isoformat(),
        "backlog": {k: n.model_dump(mode="json") for k, n in backlog_n.items()},
        "gitlab": {k: n.model_dump(mode="json") for k, n in gitlab_n.items()},
        "assignees": {k: n.model_dump(mode="json") for k, n in (assignees or {}).items()},
        "narrative": narrative, "title": title, "markdown": preview, "warnings": [why] if why else [],
        # Nothing is posted by the job: a confirm call with this token posts the preview, once.
        "confirmation": {"token": secrets.token_urlsafe(24), "post_to": args.post_to.model_dump() if args.post_to else None,
                         "expires_at": (now + CONFIRM_WITHIN).isoformat()},
    }
