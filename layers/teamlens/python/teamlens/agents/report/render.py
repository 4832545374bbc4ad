"""A report as markdown (the preview, and what is posted), headings in the reader's language (pure)."""
from __future__ import annotations

from teamlens.agents.report.numbers import BacklogNumbers, GitLabNumbers

LABELS = {
    "en": {"weekly_project": "Weekly status", "weekly_assignee": "Weekly status by assignee",
           "overdue": "Overdue items", "period": "Period", "as_of": "as of", "summary": "Summary",
           "issues": "Backlog issues", "mrs": "GitLab merge requests", "project": "project", "assignee": "assignee",
           "opened": "opened", "closed": "closed", "open": "open", "overdue_n": "overdue", "merged": "merged",
           "reviewed": "first reviewed", "turnaround": "review turnaround (median h)", "none": "none",
           "due": "due", "days": "days late", "no_narrative": "(no narrative: {why})"},
    "ja": {"weekly_project": "週次ステータス", "weekly_assignee": "担当者別 週次ステータス", "overdue": "期限切れの課題",
           "period": "期間", "as_of": "時点", "summary": "概要", "issues": "Backlog 課題", "mrs": "GitLab マージリクエスト",
           "project": "プロジェクト", "assignee": "担当者", "opened": "起票", "closed": "完了", "open": "未完了",
           "overdue_n": "期限切れ", "merged": "マージ", "reviewed": "初回レビュー", "turnaround": "レビュー所要時間（中央値, 時間）",
           "none": "なし", "due": "期限", "days": "超過日数", "no_narrative": "（概要なし: {why}）"},
    "vi": {"weekly_project": "Báo cáo tuần", "weekly_assignee": "Báo cáo tuần theo người phụ trách",
           "overdue": "Việc quá hạn", "period": "Kỳ", "as_of": "tính đến", "summary": "Tóm tắt",
           "issues": "Issue Backlog", "mrs": "Merge request GitLab", "project": "dự án", "assignee": "người phụ trách",
           "opened": "mở mới", "closed": "đã đóng", "open": "đang mở", "overdue_n": "quá hạn", "merged": "đã merge",
           "reviewed": "được review lần đầu", "turnaround": "thời gian review (trung vị, giờ)", "none": "không có",
           "due": "hạn", "days": "số ngày trễ", "no_narrative": "(không có tóm tắt: {why})"},
}


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *["| " + " | ".join("–" if v is None else str(v) for v in r) + " |" for r in rows]]


def markdown(*, kind: str, language: str, period: str, as_of: str, narrative: str | None, why: str | None,
             backlog: dict[str, BacklogNumbers], gitlab: dict[str, GitLabNumbers],
             assignees: dict[str, BacklogNumbers] | None) -> str:
    t = LABELS[language]
    out = [f"## {t[kind]}", f"_{t['period']}: {period} · {t['as_of']} {as_of}_", "",
           f"### {t['summary']}", narrative or t["no_narrative"].format(why=why or "-"), ""]
    if kind != "overdue" and backlog:
        rows = [[k, n.opened, n.closed, n.open_now, n.overdue] for k, n in backlog.items()]
        out += [f"### {t['issues']}", *_table([t["project"], t["opened"], t["closed"], t["open"], t["overdue_n"]], rows), ""]
    if kind != "overdue" and gitlab:
        rows = [[p, n.merged, n.open, n.reviewed, n.review_turnaround_hours_median] for p, n in gitlab.items()]
        out += [f"### {t['mrs']}", *_table([t["project"], t["merged"], t["open"], t["reviewed"], t["turnaround"]], rows), ""]
    if assignees:
        rows = [[who, n.opened, n.closed, n.open_now, n.overdue] for who, n in assignees.items()]
        out += [f"### {t['assignee']}", *_table([t["assignee"], t["opened"], t["closed"], t["open"], t["overdue_n"]], rows), ""]
    overdue = [i for n in backlog.values() for i in n.overdue_issues]
    if kind == "overdue" or overdue:
        out.append(f"### {t['overdue']} ({len(overdue)})")
        rows = [[i.key, i.summary, i.assignee, i.due, i.days_overdue]
                for i in sorted(overdue, key=lambda i: (-i.days_overdue, i.key))[:50]]
        out += _table(["key", "", t["assignee"], t["due"], t["days"]], rows) if rows else [f"- {t['none']}"]
    return "\n".join(out).rstrip() + "\n"


PLAIN = {
    "en": "Backlog: {opened} issues opened, {closed} closed, {overdue} overdue. GitLab: {merged} merge requests "
          "merged, {open} open.",
    "ja": "Backlog: 起票 {opened} 件、完了 {closed} 件、期限切れ {overdue} 件。GitLab: マージ {merged} 件、未完了 {open} 件。",
    "vi": "Backlog: {opened} issue mở mới, {closed} đã đóng, {overdue} quá hạn. GitLab: {merged} merge request đã "
          "merge, {open} đang mở.",
}


def plain_narrative(language: str, backlog: dict[str, BacklogNumbers], gitlab: dict[str, GitLabNumbers]) -> str:
    """The narrative made from the numbers alone, when the model's could not be used."""
    return PLAIN[language].format(opened=sum(n.opened for n in backlog.values()),
                                  closed=sum(n.closed for n in backlog.values()),
                                  overdue=sum(n.overdue for n in backlog.values()),
                                  merged=sum(n.merged for n in gitlab.values()), open=sum(n.open for n in gitlab.values()))
