"""Questions with one right answer, in English, Japanese and Vietnamese, and the documents that prove them.

Answers may hold late-bound references (⟦mr:slug⟧, ⟦issue:slug⟧) that resolve to the ids the
services assigned.
"""
from __future__ import annotations

from demo.calendar import Timeline
from demo.model import Fact, Workspace


def write_facts(ws: Workspace, tl: Timeline) -> None:
    wd = tl.workday
    v24_old, v24_new, freeze, demo_day = wd(14), tl.after_end(7), tl.after_end(4), tl.after_end(6)

    def fact(fid: str, category: str, en: list[str], ja: list[str], vi: list[str], answer: str, gold: list,
             keywords: list[str]) -> None:
        ws.facts.append(Fact(fid, category, {"en": en, "ja": ja, "vi": vi}, answer, gold, keywords))

    fact("release-move", "decision",
         ["When was the v2.4 release moved to, and who decided it?", "What is the new v2.4 release date?"],
         ["v2.4のリリース日はいつに変更されましたか？誰が決めましたか？"],
         ["Release v2.4 được dời sang ngày nào và ai quyết định?"],
         f"Tanaka Hiroshi moved the v2.4 release from {v24_old} to {v24_new}.",
         [("slack", "release_move", 0), ("issue_comment", "release_v24", 0), ("milestone", "BOOK", "v2.4")],
         [str(v24_new), "Tanaka"])
    fact("code-freeze", "date",
         ["What is the code freeze date for v2.4?"], ["v2.4のコードフリーズはいつですか？"],
         ["Code freeze của v2.4 là ngày nào?"],
         f"The v2.4 code freeze is {freeze}.", [("slack", "release_move", 0), ("issue_comment", "release_v24", 0)],
         [str(freeze)])
    fact("scope-cut-line", "decision",
         ["Which feature was taken out of v2.4 and moved to v2.5?"], ["v2.4からv2.5に移された機能は何ですか？"],
         ["Tính năng nào bị chuyển từ v2.4 sang v2.5?"],
         "LINE notification integration, moved to v2.5 by Tanaka Hiroshi (proposed by Sato Yuki).",
         [("slack", "release_move", 5), ("issue", "line_notify")], ["LINE", "v2.5"])
    fact("double-booking-decision", "decision",
         ["How did the team decide to prevent double bookings, and who decided?"],
         ["二重予約をどうやって防ぐことにしましたか？誰が決めましたか？"],
         ["Team quyết định chống đặt trùng bàn bằng cách nào, ai quyết định?"],
         "Sato Yuki decided on PostgreSQL row locks (SELECT ... FOR UPDATE) plus an exclusion constraint, not a "
         "Redis lock.", [("slack", "double_booking", 3), ("mr", "double_booking_fix")],
         ["FOR UPDATE", "exclusion", "Sato"])
    fact("double-booking-reporter", "person",
         ["Who reported the double booking bug?"], ["二重予約のバグを報告したのは誰ですか？"],
         ["Ai đã báo lỗi đặt trùng bàn?"],
         "Trần Thị Mai (QA lead) reported it.", [("slack", "double_booking", 0), ("issue", "double_booking")],
         ["Mai"])
    fact("double-booking-fix-mr", "link",
         ["Which merge request fixed the double booking bug?"], ["二重予約のバグを修正したMRはどれですか？"],
         ["MR nào sửa lỗi đặt trùng bàn?"],
         "⟦mr:double_booking_fix⟧ by Nguyễn Văn An, reviewed and merged by Sato Yuki.",
         [("mr", "double_booking_fix"), ("issue", "double_booking")], ["⟦mr:double_booking_fix⟧"])
    fact("pagination-regression-mr", "regression",
         ["Which merge request introduced the regression where the last reservation of each page was missing?"],
         ["予約一覧で各ページの最後の1件が消えるリグレッションを入れたMRはどれですか？"],
         ["MR nào gây ra lỗi mất mục cuối mỗi trang trong danh sách đặt bàn?"],
         "⟦mr:pagination_regression⟧ (\"Return has_next from the reservation list\") by Phạm Thu Hà; "
         "fixed by ⟦mr:pagination_fix⟧.",
         [("mr", "pagination_regression"), ("slack", "pagination_bug", 1), ("mr", "pagination_fix")],
         ["⟦mr:pagination_regression⟧"])
    fact("pagination-issue", "link",
         ["Which Backlog issue tracks the missing last item per page?"],
         ["各ページの最後の1件が表示されない問題のBacklog課題はどれですか？"],
         ["Issue Backlog nào theo dõi lỗi thiếu mục cuối mỗi trang?"],
         "⟦issue:pagination_bug⟧", [("issue", "pagination_bug")], ["⟦issue:pagination_bug⟧"])
    fact("reset-ttl", "value",
         ["How long is a password reset link valid?"], ["パスワード再設定リンクの有効期限はどれくらいですか？"],
         ["Link đặt lại mật khẩu có hiệu lực trong bao lâu?"],
         "30 minutes (a bug made it 30 seconds until ⟦mr:reset_ttl_fix⟧).",
         [("slack", "reset_ttl", 2), ("mr", "reset_ttl_fix")], ["30"])
    fact("date-library", "decision",
         ["Which date library did the frontend team choose?"], ["フロントエンドではどの日付ライブラリを使うことにしましたか？"],
         ["Team frontend chọn thư viện xử lý ngày tháng nào?"],
         "date-fns (Suzuki Kenta decided; moment.js and dayjs were rejected).", [("slack", "date_lib", 0)],
         ["date-fns"])
    fact("safari14", "decision",
         ["Which browser did v2.4 stop supporting?"], ["v2.4でサポート対象外になったブラウザは何ですか？"],
         ["v2.4 ngừng hỗ trợ trình duyệt nào?"],
         "Safari 14 (proposed by Suzuki Kenta, approved by Tanaka Hiroshi).", [("slack", "safari14", 1)],
         ["Safari 14"])
    fact("error-format", "decision",
         ["What format do API error responses use?"], ["APIのエラーレスポンスの形式は何に決まりましたか？"],
         ["Định dạng lỗi của API là gì?"],
         "RFC 9457 problem details (application/problem+json), decided by Sato Yuki.",
         [("slack", "error_format", 0), ("mr", "problem_json")], ["9457", "problem+json"])
    fact("pg16-migration", "date",
         ["When was the staging database migrated to PostgreSQL 16, and by whom?"],
         ["ステージングDBがPostgreSQL 16に移行されたのはいつですか？誰が対応しましたか？"],
         ["DB staging được chuyển lên PostgreSQL 16 khi nào, ai làm?"],
         f"On {wd(9)}, by Hoàng Quốc Bảo (12 minutes of downtime).", [("slack", "pg16", 0)],
         [str(wd(9)), "Bảo"])
    fact("webhook-incident-cause", "incident",
         [f"What caused the payment webhook failures on {wd(13)}?"],
         [f"{wd(13)}の決済Webhook障害の原因は何ですか？"],
         [f"Nguyên nhân sự cố webhook thanh toán ngày {wd(13)} là gì?"],
         "The provider rotated the webhook signing secret but Secrets Manager still held the old one, so signature "
         "checks failed; Hoàng Quốc Bảo updated it at 14:40 ICT.",
         [("slack", "webhook_incident", 1), ("issue", "webhook_incident")], ["secret", "Secrets Manager"])
    fact("oncall-week", "person",
         [f"Who is on call the week of {wd(15)}?"], [f"{wd(15)}の週のオンコール担当は誰ですか？"],
         [f"Tuần {wd(15)} ai trực on-call?"],
         "Hoàng Quốc Bảo.", [("slack", "oncall", 0)], ["Bảo"])
    fact("client-demo", "date",
         ["When is the v2.4 demo for Kumo Foods?"], ["Kumo Foods様へのv2.4デモはいつですか？"],
         ["Buổi demo v2.4 cho Kumo Foods diễn ra khi nào?"],
         f"{demo_day} at 14:00 Japan time (12:00 in Việt Nam), online.", [("slack", "client_demo", 0)],
         [str(demo_day), "14:00"])
    fact("group-limit", "decision",
         ["How many tables can be combined for a large group?"], ["大人数予約では何卓まで結合できますか？"],
         ["Đặt bàn cho nhóm đông được ghép tối đa bao nhiêu bàn?"],
         "At most 3 tables and 20 people in total (Tanaka Hiroshi).", [("slack", "group_booking", 0)], ["3", "20"])
    fact("refund-rounding", "decision",
         ["How are half refunds rounded?"], ["半額返金の端数はどう処理しますか？"],
         ["Tiền hoàn 50% được làm tròn thế nào?"],
         "Rounded up in the customer's favour (1,005 yen deposit → 503 yen), decided by Tanaka Hiroshi.",
         [("slack", "refund_rounding", 0), ("mr", "refund_rounding_fix")], ["503"])
    fact("login-limit", "decision",
         ["What is the login rate limit now?"], ["ログイン試行の制限はどうなりましたか？"],
         ["Giới hạn số lần đăng nhập bây giờ là bao nhiêu?"],
         "10 attempts per 5 minutes per account (e-mail); IP limits are left to the WAF (Sato Yuki).",
         [("slack", "login_lockout", 1), ("mr", "login_lockout_fix")], ["10", "5"])
    fact("csv-issue", "link",
         ["Which Backlog issue tracks the garbled CSV export in Excel?"],
         ["ExcelでCSVが文字化けする件のBacklog課題はどれですか？"],
         ["Issue Backlog nào về lỗi CSV bị lỗi font khi mở bằng Excel?"],
         "⟦issue:csv_bom⟧, fixed by ⟦mr:csv_bom_fix⟧ (UTF-8 BOM).",
         [("issue", "csv_bom"), ("mr", "csv_bom_fix")], ["⟦issue:csv_bom⟧"])
    fact("search-latency", "value",
         ["What was the p95 latency of restaurant search before and after the index?"],
         ["インデックス追加前後の店舗検索のp95はどれくらいでしたか？"],
         ["p95 của API tìm nhà hàng trước và sau khi thêm index là bao nhiêu?"],
         "2.8 s before, 85 ms after the trigram index (⟦mr:slow_search_fix⟧).",
         [("slack", "slow_search", 0), ("slack", "slow_search", 3)], ["2.8", "85"])
    fact("deposit-rule", "value",
         ["How is the reservation deposit calculated?"], ["予約の預り金はどう計算されますか？"],
         ["Tiền đặt cọc được tính thế nào?"],
         "20% of the estimated total, at least 1,000 yen.",
         [("file", "api", "app/services/pricing.py"), ("file", "api", "app/config.py")], ["20", "1000"])
    fact("timezone-cause", "cause",
         ["Why were reservation times two hours off for restaurants in Vietnam?"],
         ["ベトナムの店舗で予約時刻が2時間ずれていた原因は何ですか？"],
         ["Tại sao giờ đặt bàn ở nhà hàng Việt Nam bị lệch 2 tiếng?"],
         "formatDateTime hard-coded the Asia/Tokyo time zone; Lê Minh Đức fixed it in "
         "⟦mr:timezone_fix⟧.", [("slack", "timezone", 0), ("mr", "timezone_fix")], ["Asia/Tokyo"])
    fact("double-booking-reviewer", "person",
         ["Who reviewed and merged the double booking fix?"], ["二重予約の修正MRをレビューしてマージしたのは誰ですか？"],
         ["Ai review và merge MR sửa lỗi đặt trùng bàn?"],
         "Sato Yuki.", [("mr", "double_booking_fix")], ["Sato"])
    fact("runbook-owner", "action_item",
         ["Who has to update the staging DB runbook, and by when?"],
         ["ステージングDBの手順書の更新担当と期限は？"],
         ["Ai phải cập nhật runbook DB staging và hạn khi nào?"],
         f"Hoàng Quốc Bảo, by {wd(17)}.", [("slack", "pg16", 3)], ["Bảo", str(wd(17))])
