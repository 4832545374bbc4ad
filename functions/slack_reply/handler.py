"""Answers a Slack mention or slash command asynchronously (the hook already acknowledged it): the same
orchestrator as /ask; the answer, with its sources as links, goes into the thread. A request that starts a
job (a summary, a report) gets a first reply now and the job's result in the same thread when it is done."""
from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from teamlens import services
from teamlens.agents import connections
from teamlens.ask.service import AskRequest
from teamlens.chatops.events import SlackAsk, slack_reply

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    ask = SlackAsk.model_validate(event)
    slack = connections.slack()
    thread = {"thread_ts": ask.thread_ts} if ask.thread_ts else {}
    try:
        reply = services.asker().ask(AskRequest(question=ask.text),
                                     notify={"slack_channel": ask.channel, **thread})
        text = slack_reply(reply.answer, [c.model_dump() for c in reply.citations])
    except Exception as exc:  # the person asking must hear that it failed, not silence
        logger.exception("answering a Slack request failed")
        text = f"Sorry, I could not answer that: {type(exc).__name__}: {str(exc)[:300]}"
    posted = slack._call("chat.postMessage", channel=ask.channel, text=text, unfurl_links="false", **thread)
    return {"channel": ask.channel, "ts": posted.get("ts")}
