"""Checks an API request runs before it starts a job, so an unknown channel or merge request is a 404
naming it, not a job that fails a minute later. A source that is down is not a reason to refuse: the job
starts, retries with backoff, and fails with the reason if the source stays down."""
from __future__ import annotations

from aws_lambda_powertools import Logger

from teamlens.agents import connections
from teamlens.agents.args import ReviewMrArgs, SummarizeSlackArgs
from teamlens.agents.errors import SourceDown

logger = Logger(child=True)


def check_summary_target(args: SummarizeSlackArgs) -> None:
    from teamlens.agents.summarize.messages import find_channel, parse_thread

    try:
        if args.thread:
            parse_thread(args.thread)
        elif args.channel:
            find_channel(connections.slack(quick=True), args.channel)
    except SourceDown as exc:
        logger.warning("precheck skipped: Slack unavailable", extra={"error": str(exc)})


def check_review_target(args: ReviewMrArgs) -> None:
    from teamlens.agents.review.agent import open_mr

    try:
        open_mr(connections.gitlab(quick=True).gl, args.project or "", args.iid or 0)
    except SourceDown as exc:
        logger.warning("precheck skipped: GitLab unavailable", extra={"error": str(exc)})
