"""Labelled example requests per intent in the team's three languages: the router embeds them once and
votes by similarity when no pattern decides. (Disjoint from the evaluation set in tests/data.)"""
from __future__ import annotations

EXEMPLARS: dict[str, list[str]] = {
    "search": [
        "Who fixed the login timeout bug?", "What did we decide about the cache TTL?",
        "Is there an issue about the payment page crashing?", "Where is the deployment runbook?",
        "Why did the nightly build fail on Tuesday?", "How does the availability endpoint paginate?",
        "誰がログインのタイムアウトを直しましたか？", "キャッシュのTTLはどう決まりましたか？",
        "決済ページのクラッシュについての課題はありますか？", "デプロイ手順書はどこにありますか？",
        "Ai đã sửa lỗi timeout khi đăng nhập?", "Nhóm đã quyết định gì về TTL của cache?",
        "Có issue nào về trang thanh toán bị lỗi không?", "Tài liệu hướng dẫn deploy ở đâu?",
    ],
    "summarize_slack": [
        "Summarize the #backend channel for this week", "Give me a recap of yesterday's discussion in #ops",
        "What happened in #random over the last few days? Give me a summary", "TL;DR of this thread please",
        "#backendチャンネルの今週の内容を要約して", "昨日の#opsの議論をまとめてください", "このスレッドを要約して",
        "Tóm tắt kênh #backend tuần này", "Tổng hợp thảo luận hôm qua trong #ops", "Tóm tắt giúp mình thread này",
    ],
    "review_mr": [
        "Review MR !42 in kumo/api", "Can you do a code review of payments!7?", "Please check this merge request for bugs",
        "Look over the changes in !15 and point out problems",
        "kumo/api!42 をレビューしてください", "このマージリクエストのコードレビューをお願いします", "!15 の変更に問題がないか見てください",
        "Review giúp mình MR !42", "Hãy review merge request payments!7", "Kiểm tra code trong MR !15 giúp mình",
    ],
    "report": [
        "Write the weekly status report for the booking project", "Which issues are overdue? Make a report",
        "Prepare a report of each assignee's open tickets", "Post this week's progress report to Slack",
        "予約プロジェクトの週次レポートを作って", "期限切れの課題をレポートにまとめて", "担当者ごとの進捗報告を作成して",
        "Viết báo cáo tình hình tuần này cho dự án booking", "Lập báo cáo các issue quá hạn", "Báo cáo tiến độ theo từng người phụ trách",
    ],
    "chitchat": [
        "Hello!", "Thanks, that helps", "What can you do?", "Good morning", "Who are you?",
        "こんにちは", "ありがとうございます", "何ができますか？",
        "Xin chào", "Cảm ơn bạn nhé", "Bạn có thể làm gì?",
    ],
    "unknown": [
        "asdfgh qwerty", "Book me a flight to Osaka", "What's the weather tomorrow?", "Play some music",
        "大阪行きの飛行機を予約して", "明日の天気は？", "Đặt vé máy bay đi Đà Nẵng", "Thời tiết ngày mai thế nào?",
    ],
}
