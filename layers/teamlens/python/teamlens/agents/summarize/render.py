"""A summary as markdown, headings in the reader's language (pure)."""
from __future__ import annotations

from teamlens.agents.summarize.digest import Item, Stats

LABELS = {
    "en": {"title": "Summary of {where}", "overview": "Overview", "decisions": "Decisions",
           "action_items": "Action items", "open_questions": "Open questions", "none": "none found",
           "counts": "{messages} messages, {threads} threads, {people} participants", "due": "due",
           "no_overview": "(no overview: {why})"},
    "ja": {"title": "{where} の要約", "overview": "概要", "decisions": "決定事項", "action_items": "アクションアイテム",
           "open_questions": "未解決の質問", "none": "なし", "counts": "メッセージ {messages} 件、スレッド {threads} 件、参加者 {people} 人",
           "due": "期限", "no_overview": "（概要なし: {why}）"},
    "vi": {"title": "Tóm tắt {where}", "overview": "Tổng quan", "decisions": "Quyết định", "action_items": "Việc cần làm",
           "open_questions": "Câu hỏi còn mở", "none": "không có", "counts": "{messages} tin nhắn, {threads} luồng, {people} người tham gia",
           "due": "hạn", "no_overview": "(không có tổng quan: {why})"},
}


def _line(item: Item, due_label: str) -> str:
    text = " ".join(item.text.split())
    who = item.owner or item.author
    due = f" ({due_label} {item.due.isoformat()})" if item.due else ""
    link = f" — [link]({item.permalink})" if item.permalink else ""
    return f"- **{who}**{due}: {text}{link}"


def markdown(*, where: str, period: str, language: str, stats: Stats, overview: str | None, why: str | None,
             items: dict[str, list[Item]]) -> str:
    t = LABELS[language]
    out = [f"## {t['title'].format(where=where)}", f"_{period}_ · " + t["counts"].format(
        messages=stats.messages, threads=stats.threads, people=len(stats.participants)), "",
        f"### {t['overview']}", overview or t["no_overview"].format(why=why or "-"), ""]
    for key in ("decisions", "action_items", "open_questions"):
        out.append(f"### {t[key]}")
        out.extend(_line(i, t["due"]) for i in items[key]) if items[key] else out.append(f"- {t['none']}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
