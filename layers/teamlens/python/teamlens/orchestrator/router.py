"""The router: which tool a request needs, with its arguments. Cheap signals first (patterns for
references, verbs and dates; similarity to labelled exemplars), the JSON-schema-constrained LLM only when
those disagree or are unsure, and the history for follow-ups ("and the week before?")."""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from pydantic import BaseModel, Field

from teamlens.orchestrator import references as refs
from teamlens.orchestrator.dates import DEFAULT_TZ, parse_date_range, shift_weeks
from teamlens.orchestrator.exemplars import EXEMPLARS
from teamlens.orchestrator.intents import INTENTS, Intent, Route, RouteArgs

log = logging.getLogger(__name__)

SUMMARIZE = re.compile(r"summar|recap|tl;?dr|digest|catch me up|要約|まとめ|サマリ|tóm tắt|tổng hợp|tóm lược", re.I)
REVIEW = re.compile(r"\breview(?!ed|er)|code review|look over|check (?:the |this )?(?:code|changes|mr|merge)|レビュー|見て|確認して"
                    r"|đánh giá|kiểm tra", re.I)
REPORT = re.compile(r"\breport\b|status update|progress update|レポート|報告書?|báo cáo", re.I)
OVERDUE = re.compile(r"overdue|past due|past (?:their |the )?due date|behind schedule|期限切れ|期限を過ぎ|期限超過|遅延している|"
                     r"quá hạn|trễ hạn|qua han|tre han", re.I)
ASSIGNEE = re.compile(r"assignee|per (?:person|member)|each (?:person|member|assignee)|by person|担当者|メンバーごと|メンバー別|"
                      r"người phụ trách|từng (?:người|thành viên)|mỗi (?:người|thành viên)|tung nguoi|nguoi phu trach", re.I)
CHITCHAT = re.compile(r"^\W*(hi|hello|hey|thanks|thank you|good (morning|afternoon|evening)|こんにちは|こんばんは|おはよう"
                      r"|ありがとう|xin chào|chào|cảm ơn)\b|what can you do|who are you|何ができ|あなたは誰|bạn (là ai|làm được gì|có thể làm gì)",
                      re.I)
QUESTION = re.compile(r"\?|？|^(who|what|when|where|why|how|which|is|are|was|were|did|does|do|can)\b|tell me|explain|find|search|look up|show me|教えて|説明|探して|調べて|cho (tôi|mình) biết|giải thích|tìm|誰|何|いつ|どこ|なぜ|どう|どの|ですか"
                      r"|\b(ai|gì|khi nào|ở đâu|tại sao|thế nào|nào|bao nhiêu|bao lâu)\b", re.I)
# An instruction that is none of the tools' verbs (those matched already) asks for something teamlens does not do.
OTHER_COMMAND = re.compile(r"^\W*(please\s+)?(order|set|play|book|buy|call|send|turn|open|remind|schedule|cancel|bring)\b"
                           r"|(して|してください|して下さい|してほしい|して欲しい)\W*$|^\W*(hãy\s+)?(đặt|bật|mở|tắt|gọi|mua|gửi|nhắc)\b"
                           r"|\bđi\W*$", re.I)
# "names a Backlog project and asks to create or post something": a report, whatever else the request says
# (e.g. "create a Backlog issue in PAY summarizing this week's work" is not a Slack summary).
CREATE_OR_POST = re.compile(r"\b(create|write|make|post|file|open|put together|prepare|generate|send|draft|add)\b"
                            r"|作成|作って|作る|登録|投稿|起票|送って|上げて|\b(tạo|đăng|lập|viết|gửi|soạn)\b", re.I)
BACKLOG_WORD = re.compile(r"backlog|バックログ", re.I)
NEW_ISSUE = re.compile(r"\b(?:new|an?) (?:issue|ticket)\b|新しい課題|課題(?:に|として)|issue mới|ticket mới", re.I)
ABSOLUTE_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
FOLLOW_UP = re.compile(r"^\W*(and|what about|how about|also|then)\b|^(それ|その|では|じゃあ)|^(còn|thế còn|vậy)\b|week before|前の週|tuần trước nữa",
                       re.I)
EXEMPLAR_MIN = 0.86      # best exemplar similarity (e5) needed to trust the vote
EXEMPLAR_MARGIN = 0.015  # over the best exemplar of another intent


class _LLMRoute(BaseModel):
    """The tool that should handle the user's request."""
    intent: Intent = Field(description="One of: search, summarize_slack, review_mr, report, chitchat, unknown")


# The model decides what the cheap signals cannot; it is the component that understands paraphrase, so it gets
# the definitions, the usual confusions spelled out, and a few examples in all three languages (a fixed prefix:
# the engine's prompt cache keeps it evaluated).
LLM_SYSTEM = """You route requests sent to teamlens, an assistant over a software team's GitLab, Slack and Backlog.
Pick exactly one intent:
- search: a question answered from the team's content: who, what, when, why, how, the status of an issue or merge request, what was decided or said about a topic. A question about an existing review, summary or report is a search.
- summarize_slack: summarize or catch up on what was said in a Slack channel or thread over a period.
- review_mr: review the code of a GitLab merge request, or judge whether its change is correct, safe or risky.
- report: write or post a status report (weekly, per assignee, overdue issues), or create a Backlog issue that sums up work.
- chitchat: greetings, thanks, small talk, questions about the assistant itself.
- unknown: anything unrelated to the team's software work (weather, food, sports, travel, general knowledge, jokes).
Answer with JSON only."""
LLM_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("What did we decide about the cache TTL?", "search"),
    ("#opsで先週何があったか教えて", "summarize_slack"),
    ("Thay đổi trong payments!7 có vấn đề gì không?", "review_mr"),
    ("Create a Backlog issue in PAY summarizing this week's work", "report"),
    ("Who reviewed kumo/api!42?", "search"),
    ("ありがとう、助かりました", "chitchat"),
    ("Đặt giúp mình một bàn ăn tối nay", "unknown"),
)


# A request that names a merge request is a review unless it asks a fact about it (who wrote, reviewed or
# merged it, when, what it fixed, its status): "is anything wrong with !19?" and "look at !19 before it
# merges" are reviews, "who reviewed !19?" is a question. (The packaged model, asked to choose between the
# two, did no better than chance on paraphrases.)
MR_FACT = re.compile(r"\b(who|when|which|whose)\b|\bwhat\b.{0,40}\b(fix|fixed|change|changed|add|added|do|did|"
                     r"solve|solved|introduce|introduced)\b|\bstatus\b|\b(merged|closed|reverted|deployed)\b|"
                     r"誰|いつ|どの|どれ|何日|何時|何件|何を(?:直|修正|変更|追加)|何が変わ|状況|ステータス|マージされ|デプロイされ|"
                     r"\bai\b|khi nào|bao giờ|lúc nào|ngày nào|\bnào\b|sửa (?:cái |lỗi )?gì|thay đổi gì|trạng thái|"
                     r"(?:đã|được) merge", re.I)
# ...unless it asks for a judgement on the change, which is what a review gives.
MR_JUDGEMENT = re.compile(r"\brisk|\bwrong\b|\bsafe\b|\bbreak|\bapprove\b|\bbugs?\b|vulnerab|secur|危な|大丈夫|リスク|問題点|"
                          r"問題(?:が|は)(?:ない|ある|あり)|バグ|不具合|rủi ro|\bổn\b|an toàn|có vấn đề|có lỗi|có bug", re.I)
# A request that names a Slack channel or thread and asks what went on there wants a summary; one that asks
# a specific question about a topic there is a search.
SLACK_CATCH_UP = re.compile(r"\b(happen(?:ed|ing)?|went on|going on|discuss(?:ed|ing)?|talk(?:ed|ing)? about|miss(?:ed)?|"
                            r"highlights?|news|updates?|anything (?:new|worth|important|interesting))\b|"
                            r"何があ|何が起き|どんな話|話題|動き|ハイライト|キャッチアップ|近況|"
                            r"có gì|bàn (?:những |về )?(?:gì|chuyện gì)|nói (?:những )?gì|cập nhật|diễn ra|có chuyện gì", re.I)


class Router:
    def __init__(self, embedder, chat=None, *, exemplars: dict[str, list[str]] | None = None,
                 tz: str = DEFAULT_TZ) -> None:
        self.embedder, self.chat, self.tz = embedder, chat, tz
        self.exemplars = exemplars or EXEMPLARS
        self._matrix: np.ndarray | None = None
        self._labels: list[str] = []

    def route(self, text: str, *, now: datetime | None = None, history: Sequence[str] | None = None) -> Route:
        now = now or datetime.now(UTC)
        args = self.arguments(text, now)
        if history and FOLLOW_UP.search(text):
            previous = self.route(history[-1], now=now)
            if previous.intent not in ("chitchat", "unknown"):
                return self._follow_up(text, previous, args)
        intent, confidence, method = self._by_pattern(text, args)
        if intent is None:
            intent, confidence, method = self._by_reference(text, args)
        if intent is None:
            intent, confidence, method = self._by_question_form(text, args)
        if intent is None:
            intent, confidence, method = self._by_exemplars(text)
        if intent is None:
            intent, confidence, method = self._by_llm(text)
        if intent == "search":
            args.query = text
            if ABSOLUTE_DATE.search(refs.normalize(text)):
                # "who is on call the week of 2026-11-16" asks about that date, it does not restrict when the
                # answer was written; relative ranges ("what did we discuss last week") do.
                args.date_range = None
        return Route(intent=intent, args=args, confidence=round(confidence, 3), method=method)

    def arguments(self, text: str, now: datetime) -> RouteArgs:
        thread = refs.slack_thread(text)
        return RouteArgs(channel=refs.channel(text), thread=f"{thread[0]}:{thread[1]}" if thread else None,
                         date_range=parse_date_range(text, now, self.tz), mr=refs.mr_reference(text),
                         project=(refs.project_path(text) if not refs.MR_URL.search(text) else None)
                         or refs.backlog_project(text),
                         report_kind=("overdue" if OVERDUE.search(text) else
                                      "weekly_assignee" if ASSIGNEE.search(text) else
                                      "weekly_project" if REPORT.search(text) else None))

    def _by_pattern(self, text: str, args: RouteArgs) -> tuple[Intent | None, float, str]:
        """Only what is unambiguous: the verbs of the tools next to what they act on."""
        if (CREATE_OR_POST.search(text) or NEW_ISSUE.search(text)) and not args.mr \
                and (refs.backlog_project(text) or BACKLOG_WORD.search(text)):
            return "report", 0.9, "pattern"
        if SUMMARIZE.search(text) and (args.channel or args.thread or args.date_range or re.search(
                r"slack|thread|スレッド|チャンネル|kênh|discussion|議論|thảo luận", text, re.I)):
            return "summarize_slack", 0.95, "pattern"
        if args.mr and REVIEW.search(text) and not MR_FACT.search(text):
            return "review_mr", 0.95, "pattern"
        if REPORT.search(text) and (not QUESTION.search(text) or OVERDUE.search(text) or CREATE_OR_POST.search(text)):
            return "report", 0.9, "pattern"
        if CHITCHAT.search(text) and len(text) < 60:
            return "chitchat", 0.9, "pattern"
        return None, 0.0, "pattern"

    def _by_question_form(self, text: str, args: RouteArgs) -> tuple[Intent | None, float, str]:
        if QUESTION.search(text) and not SUMMARIZE.search(text):
            return "search", 0.85, "pattern"
        if OTHER_COMMAND.search(text) and not (args.mr or args.channel or refs.backlog_keys(text)):
            return "unknown", 0.8, "pattern"
        return None, 0.0, "pattern"

    def _by_reference(self, text: str, args: RouteArgs) -> tuple[Intent | None, float, str]:
        """A merge request or a Slack channel/thread named: that tool, or a search when a fact is asked."""
        if args.mr:
            fact = MR_FACT.search(text) and not MR_JUDGEMENT.search(text)
            return ("search", 0.8, "pattern") if fact else ("review_mr", 0.8, "pattern")
        if (args.channel or args.thread) and SLACK_CATCH_UP.search(text):
            return "summarize_slack", 0.8, "pattern"
        return None, 0.0, "pattern"

    def _by_exemplars(self, text: str) -> tuple[Intent | None, float, str]:
        matrix = self._exemplar_matrix()
        query = np.asarray(self.embedder.embed([text], kind="query")[0], dtype=np.float32)
        sims = matrix @ query
        best: dict[str, float] = {}
        for label, sim in zip(self._labels, sims):
            best[label] = max(best.get(label, -1.0), float(sim))
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
        (top, s1), (_, s2) = ranked[0], ranked[1]
        if s1 >= EXEMPLAR_MIN and s1 - s2 >= EXEMPLAR_MARGIN:
            return top, s1, "examples"  # type: ignore[return-value]
        self._exemplar_guess = top
        return None, s1, "examples"

    def _exemplar_matrix(self) -> np.ndarray:
        if self._matrix is None:
            texts = [t for intent in INTENTS for t in self.exemplars.get(intent, [])]
            self._labels = [intent for intent in INTENTS for _ in self.exemplars.get(intent, [])]
            # "query" for both sides: exemplars are requests too
            self._matrix = np.asarray(self.embedder.embed(texts, kind="query"), dtype=np.float32)
        return self._matrix

    def _by_llm(self, text: str) -> tuple[Intent, float, str]:
        guess: Intent = getattr(self, "_exemplar_guess", "search")
        if self.chat is None:
            return guess, 0.5, "examples"
        messages: list[tuple[str, str]] = [("system", LLM_SYSTEM)]
        for example, intent in LLM_EXAMPLES:
            messages += [("user", example), ("assistant", _LLMRoute(intent=intent).model_dump_json())]
        try:
            out = self.chat.bind(max_tokens=24).with_structured_output(_LLMRoute, method="json_schema").invoke(
                [*messages, ("user", text)])
            return out.intent, 0.7, "llm"
        except Exception as exc:  # noqa: BLE001 - routing must not fail because the LLM did
            log.warning("LLM routing failed, using the exemplar vote: %s", exc)
            return guess, 0.5, "examples"

    def _follow_up(self, text: str, previous: Route, args: RouteArgs) -> Route:
        """A follow-up keeps the previous intent and arguments; a new date range replaces the old one, and
        "the week before" moves it back a week."""
        merged = previous.args.model_copy()
        if re.search(r"week before|前の週|先々週|tuần trước nữa", text, re.I) and previous.args.date_range:
            merged.date_range = shift_weeks(previous.args.date_range, -1)
        elif args.date_range:
            merged.date_range = args.date_range
        for field in ("channel", "mr", "project", "thread"):
            if getattr(args, field):
                setattr(merged, field, getattr(args, field))
        if previous.intent == "search":
            merged.query = f"{previous.args.query or ''} {text}".strip()
        return Route(intent=previous.intent, args=merged, confidence=0.8, method="history")
