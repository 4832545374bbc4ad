"""The /ask flow: route the question, run the chosen tool, answer grounded in what search found (or start a
job for long work), and remember the turn. Every dependency is passed in, so tests run it on the real
services without the Lambda around it."""
from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import openai
from pydantic import BaseModel, Field, ValidationError

from teamlens.ask import citations as cite
from teamlens.ask import evidence, grounding
from teamlens.ask.prompts import (
    ANSWER_LEAD,
    NOT_FOUND,
    NOT_FOUND_TERMS,
    Source,
    evidence_messages,
    pack_sources,
)
from teamlens.ask.replies import EVIDENCE_LEAD, HELP, JOB_STARTED, MODEL_BUSY, NEEDS_INPUT
from teamlens.ask.search_api import NonBlank
from teamlens.ask.tools import JOB_TOOLS, SearchArgs, job_tool, search_tool
from teamlens.conversations import Citation, ConversationNotFound, Conversations, Turn
from teamlens.embeddings import EmbeddingError
from teamlens.instructions import quote_instructions
from teamlens.jobs import Jobs
from teamlens.language import Language, detect_language
from teamlens.retrieval.filters import SearchFilters

RESCORE_TIMEOUT_S = 2.0   # the evidence re-scoring's own limit (10 sentences take ~0.15 s when the model is free)
MIN_GENERATE_S = 4.0       # less time than this left: skip generation
GENERATE_TIMEOUT_S = 15.0  # past this the model host is saturated: answer with the sources instead
MAX_SOURCES = 5
EVIDENCE_SENTENCES = 4
CONTEXT_TOKENS = 900      # the sources as cited (the evidence sentences come from their whole text)
ANSWER_TOKENS = 64  # one or two sentences; the packaged model decodes 25-37 tokens/s on 2 cores
# The answer is one line: past its first line a small model only lists the facts again, at 30-40 ms a token.
ANSWER_STOP = ["\n"]
HISTORY_TURNS = 2
# The best chunk's cosine below which nothing was found, per index model (bench.relevance, fitted on the dev
# split to keep every answerable question: a floor on retrieval scores cannot tell "v2.6's date" from v2.5's,
# so it only removes the plainly unrelated, e.g. small talk at 0.10-0.26, and the model judges the rest).
# Another model: no floor.
MIN_RELEVANCE = {"embeddinggemma-300m": 0.33, "multilingual-e5-small": 0.80}
FOLLOW_UP_WORDS = 8       # a question this short after another is read together with the previous one


class AskRequest(BaseModel):
    question: NonBlank = Field(min_length=1, max_length=4000)
    conversation_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    filters: SearchFilters | None = None


AskStatus = Literal["answered", "not_found", "job_started", "sources_only", "needs_input"]


class AskResponse(BaseModel):
    answer: str
    citations: list[Citation]
    intent: str
    args: dict[str, Any] = {}
    language: str
    conversation_id: str
    turn: int
    job_id: str | None = None
    status: AskStatus = "answered"
    timings_ms: dict[str, float]
    models: dict[str, str] = {}


class Asker:
    def __init__(self, *, router, retriever, chat, embedder, conversations: Conversations, jobs: Jobs,
                 rescorer=None, chat_model_id: str = "", embedding_model_id: str = "", index_model_id: str = "",
                 deadline_s: float = 18.0, answer_lead: bool = False) -> None:
        """`answer_lead`: start each answer in the question's language and have the chat endpoint continue
        it (the model host's `continue_final_message`; an endpoint without it must leave this off).
        `rescorer`: a stronger embedder that orders the evidence sentences again (evidence.select).
        `index_model_id`: the model the index was embedded with, which sets the relevance floor."""
        self.router, self.retriever, self.chat, self.embedder = router, retriever, chat, embedder
        self.rescorer = rescorer
        self.conversations, self.jobs = conversations, jobs
        self.models = {k: v for k, v in (("chat", chat_model_id), ("embedding", embedding_model_id),
                                         ("index", index_model_id)) if v}
        self.min_relevance = MIN_RELEVANCE.get(index_model_id or embedding_model_id, 0.0)
        self.deadline_s = deadline_s
        self.answer_lead = answer_lead

    def ask(self, request: AskRequest, *, now: datetime | None = None,
            notify: dict[str, Any] | None = None, deadline_s: float | None = None) -> AskResponse:
        """`notify`: where a started job posts its result (a Slack thread), besides GET /jobs/{id}.
        `deadline_s`: seconds this call may take (the caller's own limit, e.g. the Lambda's remaining time),
        when less than the asker's."""
        started = time.monotonic()
        deadline = min(self.deadline_s, deadline_s) if deadline_s is not None else self.deadline_s
        timings: dict[str, float] = {}
        cid = request.conversation_id
        if cid is not None and not self.conversations.exists(cid):
            raise ConversationNotFound(cid)
        history = self.conversations.turns(cid, last=HISTORY_TURNS) if cid else []
        language = detect_language(request.question)

        t = time.monotonic()
        route = self.router.route(request.question, now=now or datetime.now(UTC),
                                  history=[turn.question for turn in history])
        timings["route"] = _ms(t)
        args = _plain_args(route.args)

        status: AskStatus
        cits: list[Citation]
        if route.intent in JOB_TOOLS:
            cid = cid or self.conversations.create()
            job_args = _job_args(route.intent, args, language)
            t = time.monotonic()
            try:
                job = job_tool(route.intent, self.jobs, lambda: cid, notify=notify).invoke(job_args)
                answer, status, job_id = JOB_STARTED[language].format(job_id=job.job_id), "job_started", job.job_id
            except ValidationError as exc:
                # "summarize it" with nothing to summarize: say what is missing rather than start a job that fails
                answer, status, job_id = NEEDS_INPUT[language].format(what=_missing(exc)), "needs_input", None
            cits = []
            timings["start_job"] = _ms(t)
        elif route.intent == "search":
            answer, status, cits = self._answer(request, args, history, language, timings, started, deadline)
            answer, job_id = quote_instructions(answer), None
        else:  # chitchat, unknown: no model call needed to say what teamlens can do
            answer, status, cits, job_id = HELP[language], "answered", [], None

        cid = cid or self.conversations.create()
        timings["total"] = _ms(started)
        turn = self.conversations.append(cid, {
            "question": request.question, "answer": answer, "citations": [c.model_dump() for c in cits],
            "intent": route.intent, "args": args, "language": language, "timings_ms": timings,
            "models": self.models, "job_id": job_id})
        return AskResponse(answer=answer, citations=cits, intent=route.intent, args=args, language=language,
                           conversation_id=cid, turn=turn.n, job_id=job_id, status=status, timings_ms=timings,
                           models=self.models)

    def _answer(self, request: AskRequest, args: dict[str, Any], history: Sequence[Turn], language: Language,
                timings: dict[str, float], started: float, deadline: float
                ) -> tuple[str, AskStatus, list[Citation]]:
        query = args.get("query") or request.question
        if history and len(request.question.split()) <= FOLLOW_UP_WORDS:
            query = f"{history[-1].question} {query}"
        search_args = _search_args(query, args, request.filters)
        t = time.monotonic()
        hits = search_tool(self.retriever_search).invoke(search_args.model_dump(mode="json", exclude_none=True))
        timings["retrieve"] = _ms(t)
        if not hits or max(h.dense for h in hits) < self.min_relevance:
            return NOT_FOUND[language], "not_found", []
        if missing := grounding.missing_terms(request.question, _grounding_texts(hits)):
            # Close passages about something else ("v2.4" for "v2.6"): a small model would answer from them.
            return NOT_FOUND_TERMS[language].format(terms=grounding.quoted(request.question, missing)), "not_found", []
        sources = pack_sources(hits, CONTEXT_TOKENS, max_sources=MAX_SOURCES)
        t = time.monotonic()
        try:
            picked = evidence.select(request.question, sources, self.embedder, top=EVIDENCE_SENTENCES,
                                     rescorer=self.rescorer)
        except EmbeddingError:
            # The index model is queued up (many questions at once, or an ingestion): e5's order stands; the
            # rescorer's short timeout keeps the wait to ~RESCORE_TIMEOUT_S.
            timings["rescore_skipped"] = _ms(t)
            picked = evidence.select(request.question, sources, self.embedder, top=EVIDENCE_SENTENCES)
        timings["evidence"] = _ms(t)
        if deadline - (time.monotonic() - started) < MIN_GENERATE_S:
            # Under load the steps before took most of the time: no room left to generate within the API's
            # limit, so answer with the evidence now rather than time out.
            return self._evidence_only(picked, sources, language)
        # The facts are numbered 1..k in the order shown, best first: a small model cites the first line as
        # [1] whatever number it carries, so the numbers it sees are the facts', mapped back to sources after.
        facts = [evidence.Evidence(n=i, text=e.text, score=e.score) for i, e in enumerate(picked, start=1)]
        source_of = {f.n: e.n for f, e in zip(facts, picked)}
        # The model restates the first fact in the fact's language: when that is not the question's, the answer
        # is started for it in the question's language. Only then: started, it paraphrases more and loses facts.
        lead = ANSWER_LEAD[language] if self.answer_lead and cite.answer_language(facts[0].text) != language else ""
        messages = evidence_messages(request.question, facts, language, [(h.question, h.answer) for h in history],
                                     answer_start=lead)
        continued = {"extra_body": {"continue_final_message": True}} if lead else {}
        t = time.monotonic()
        remaining = min(deadline - (time.monotonic() - started), GENERATE_TIMEOUT_S)
        try:
            raw = str(self.chat.bind(max_tokens=ANSWER_TOKENS, stop=ANSWER_STOP, timeout=max(remaining, 1.0),
                                     **continued).invoke(messages).content)
        except (openai.APITimeoutError, openai.RateLimitError, openai.InternalServerError,
                openai.APIConnectionError):
            # The model host is saturated or went away mid-request: the evidence is still the best answer
            # there is, so return it, marked as such, rather than an error.
            timings["generate"] = _ms(t)
            return self._evidence_only(picked, sources, language)
        timings["generate"] = _ms(t)
        own_words = cite.without_markers(raw).lstrip(" ,、:")  # what the model wrote after the lead
        if cite.is_not_found(own_words):
            return NOT_FOUND[language], "not_found", []
        fact_texts = [f.text for f in facts]
        if not cite.says_more(own_words, request.question, fact_texts):  # markers where the content belongs
            return self._evidence_only(picked, sources, language, EVIDENCE_LEAD)
        grounds = [request.question, *fact_texts, *(t for h in history for t in (h.question, h.answer))]
        if not cite.numbers_grounded(raw, grounds):
            # A number that none of the facts holds (a date, a count) is invented: quote the facts instead.
            return self._evidence_only(picked, sources, language, EVIDENCE_LEAD)
        if lead and not cite.numbers_kept(raw, facts[0].text, [request.question]):
            # Put into the question's language, the fact lost or changed a number: the fact itself, introduced
            # in the question's language, is the answer that cannot mislead.
            return self._evidence_only(picked, sources, language, EVIDENCE_LEAD)
        answer = cite.normalize_markers(lead + raw, set(source_of))
        answer = cite.attribute_uncited(cite.renumber(answer, source_of), sources)
        if not cite.cited_numbers(answer):
            # The answer came from these sources even when the model named none: cite the best one.
            answer = f"{answer} [{picked[0].n if picked else 1}]"
        answer, cited = cite.compact(answer, sources)
        return answer, "answered", cite.citations(answer, cited)

    @staticmethod
    def _evidence_only(picked, sources: Sequence[Source], language: Language,
                       lead: dict[str, str] = MODEL_BUSY) -> tuple[str, AskStatus, list[Citation]]:
        text, cited = cite.compact("\n".join([lead[language]] + [f"[{e.n}] {e.text}" for e in picked[:2]]), sources)
        return text, "sources_only", cite.citations(text, cited)

    def retriever_search(self, args: SearchArgs):
        filters = SearchFilters(**args.model_dump(include={"source", "project", "channel", "since", "until", "author"},
                                                  exclude_none=True))
        return self.retriever.search(args.query, k=args.k, filters=filters)


def _ms(since: float) -> float:
    return round((time.monotonic() - since) * 1000, 1)


def _plain_args(args: Any) -> dict[str, Any]:
    """The router's arguments as JSON values, without empty ones; a date range becomes since/until."""
    data = args.model_dump(mode="json", exclude_none=True) if hasattr(args, "model_dump") else dict(args or {})
    rng = data.pop("date_range", None) or {}
    data.update({k: v for k, v in rng.items() if v})
    return {k: v for k, v in data.items() if v not in ("", [], {})}


def _search_args(query: str, args: dict[str, Any], filters: SearchFilters | None) -> SearchArgs:
    """Explicit filters from the request win over what the router read from the question."""
    merged: dict[str, Any] = {k: args[k] for k in ("project", "channel", "since", "until") if k in args}
    if filters is not None:
        merged.update(filters.model_dump(exclude_none=True))
    return SearchArgs(query=query, **merged)


def _missing(exc: ValidationError) -> str:
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())[:300]


def _job_args(intent: str, args: dict[str, Any], language: str) -> dict[str, Any]:
    schema = JOB_TOOLS[intent][0]
    out = {k: v for k, v in args.items() if k in schema.model_fields}
    if intent == "review_mr" and isinstance(args.get("mr"), dict):
        out.update({k: v for k, v in args["mr"].items() if k in ("project", "iid") and v is not None})
    out["language"] = language
    return out


def _grounding_texts(hits) -> list[str]:
    """What a passage mentions: its text, title and metadata values (authors, projects, keys)."""
    return [part for h in hits for part in (h.text, h.title, *(str(v) for v in h.metadata.values()))]
