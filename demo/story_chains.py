"""Planted bug chains: a Slack thread about a bug → the Backlog issue → the merge request that fixes it.

Each chain is written as the team would: the reporter in their own language, the bridge SE (Hương)
relaying between Japanese and Vietnamese, and the engineers in English or Vietnamese in code reviews.
One function per story; `write_chains` writes them in the order of STORIES.
"""
from __future__ import annotations

import datetime as dt

from demo.model import ActionItem, Chain, Decision, Defect, FileEdit, MergeRequest, Note
from demo.writer import Writer

OPEN, DOING, DONE, CLOSED = "未対応", "処理中", "処理済み", "完了"


def _mr(w: Writer, slug: str, project: str, day: dt.date, when: str, author: str, title: str, description: str,
        edits: list[FileEdit], *, reviewers: list[str], merged: tuple[dt.date, str] | None = None,
        merged_by: str | None = None, commits: list[str] | None = None, notes: list[Note] | None = None,
        labels: list[str] | None = None, defects: list[Defect] | None = None, branch: str = "",
        milestone: str | None = "v2.4") -> MergeRequest:
    merged_at = w.at(merged[0], merged[1], merged_by or reviewers[0]) if merged else None
    if merged_at and merged_at <= w.at(day, when, author):
        raise ValueError(f"{slug}: merged before it was opened")
    return w.mr(MergeRequest(
        slug=slug, project=project, title=title, description=description, author=author,
        created=w.at(day, when, author), state="merged" if merged else "opened", edits=edits,
        source_branch=branch or f"fix/{slug.replace('_', '-')}", reviewers=reviewers, labels=labels or ["bug"],
        merged_at=merged_at, merged_by=(merged_by or reviewers[0]) if merged else None,
        commit_messages=commits or [title], notes=notes or [], defects=defects or [], milestone=milestone))


def _double_booking(w: Writer) -> None:
    """Double booking: race between SELECT and INSERT. Decision: row lock + exclusion constraint."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(5)
    w.thread("double_booking", "qa-bugs", d, [
        ("mai", "10:05", ("Mình vừa tái hiện được lỗi đặt trùng bàn trên staging: hai tài khoản cùng đặt bàn cuối cùng "
                          "của nhà hàng Sakura Shinjuku lúc 19:00 thì cả hai đều nhận được email xác nhận. Video và log "
                          "mình để trong Backlog nhé. ⟦@ha⟧ ⟦@an⟧ mọi người xem giúp mình với."),
         {"react": [("eyes", ["an", "ha"]), ("rotating_light", ["huong"])]}),
        ("an", "10:20", ("Có vẻ là race condition trong `reserve_table`: SELECT bàn trống rồi mới INSERT, không có khóa "
                         "gì cả. Hai request chạy song song là lọt.")),
        ("huong", "10:31", ("⟦@sato⟧ 佐藤さん、ステージングで同じテーブルに二重予約ができてしまうバグが見つかりました。"
                            "予約処理の競合状態が原因のようです。対応方針を相談させてください。Backlog: ⟦issue:double_booking⟧")),
        ("sato", "13:02", ("確認しました。Redisのロックは使わず、PostgreSQLの行ロック（SELECT ... FOR UPDATE）と"
                           "排他制約（EXCLUDE制約）で防ぎましょう。インフラを増やしたくないので。"),
         {"react": [("+1", ["an", "huong", "ha"])]}),
        ("huong", "11:10", ("Anh Sato quyết định dùng row lock của PostgreSQL (SELECT ... FOR UPDATE) và exclusion "
                            "constraint, không dùng Redis lock. ⟦@an⟧ em nhận task này nhé?")),
        ("an", "11:15", "Ok chị, em nhận. Dự kiến thứ Tư có MR để review.", {"react": [("pray", ["huong"])]}),
    ])
    w.issue("double_booking", "BOOK", d, "10:12", reporter="mai", assignee="an", priority="高", milestone="v2.4",
            due=wd(7), start=d, estimated_hours=6,
            summary="【予約】同じテーブルに二重予約ができてしまう",
            description=(
                "## 現象\n同じ時間帯の最後の空きテーブルを2つのアカウントから同時に予約すると、両方とも予約確定になる。\n\n"
                "## 再現手順\n1. ステージングで Sakura Shinjuku の 19:00 枠を残り1テーブルにする\n"
                "2. 2つのブラウザから同時に「予約する」を押す\n3. 両方に確認メールが届く\n\n"
                "## Mô tả\nHai người dùng đặt cùng bàn cuối cùng cùng lúc thì cả hai đều thành công. Tỉ lệ tái hiện "
                "khoảng 3/10 lần với 2 request song song.\n\nSlack: ⟦slack_url:double_booking⟧"),
            comments=[
                ("an", d, "11:40", ("Nguyên nhân: `reserve_table` SELECT rồi INSERT mà không khóa. Sẽ sửa bằng "
                                    "`SELECT ... FOR UPDATE` + exclusion constraint theo quyết định của anh Sato."), DOING),
                ("an", wd(7), "16:05", "MR: ⟦mr_url:double_booking_fix⟧", DONE),
                ("mai", wd(8), "14:20", ("Đã test lại trên staging với 50 request song song, không còn đặt trùng. "
                                         "Đóng issue nhé. / ステージングで再テストし、問題ないことを確認しました。"), CLOSED),
            ])
    _mr(w, "double_booking_fix", "api", wd(7), "13:30", "an",
        "Fix double booking: lock candidate tables and add an exclusion constraint",
        "Closes ⟦issue:double_booking⟧\n\n"
        "Two concurrent requests could both see the last free table and both INSERT. This MR:\n"
        "- locks the candidate table row with `FOR UPDATE OF t SKIP LOCKED` so the second request picks another "
        "table or gets 409;\n"
        "- adds an exclusion constraint on `(table_id, tstzrange(starts_at, ends_at))` as a safety net "
        "(decided with @y.sato: no Redis lock);\n"
        "- maps `ExclusionViolationError` to `NoTableAvailable`.\n\n"
        "Tested with 50 parallel requests on staging: 1 reservation, 49 × 409.",
        [
            FileEdit("app/services/booking.py", "from datetime import datetime\n\nfrom app.db import transaction\n",
                     "from datetime import datetime\n\nimport asyncpg\n\nfrom app.db import transaction\n"),
            FileEdit("app/services/booking.py",
                     "            ORDER BY t.seats\n            LIMIT 1\n            \"\"\",",
                     "            ORDER BY t.seats\n            LIMIT 1\n            FOR UPDATE OF t SKIP LOCKED\n"
                     "            \"\"\","),
            FileEdit("app/services/booking.py",
                     "        row = await conn.fetchrow(\n"
                     "            \"INSERT INTO reservations (table_id, customer_id, party_size, starts_at, ends_at, status) \"\n"
                     "            \"VALUES ($1, $2, $3, $4, $4 + interval '2 hours', 'confirmed') RETURNING id\",\n"
                     "            table[\"id\"], customer_id, party_size, starts_at,\n"
                     "        )\n",
                     "        try:\n"
                     "            row = await conn.fetchrow(\n"
                     "                \"INSERT INTO reservations (table_id, customer_id, party_size, starts_at, ends_at, status) \"\n"
                     "                \"VALUES ($1, $2, $3, $4, $4 + interval '2 hours', 'confirmed') RETURNING id\",\n"
                     "                table[\"id\"], customer_id, party_size, starts_at,\n"
                     "            )\n"
                     "        except asyncpg.exceptions.ExclusionViolationError as exc:\n"
                     "            # Another transaction booked an overlapping slot on this table first.\n"
                     "            raise NoTableAvailable(restaurant_id, starts_at) from exc\n"),
            FileEdit("migrations/0011_reservations_no_overlap.sql", None,
                     "-- Two confirmed reservations of one table must never overlap in time.\n"
                     "CREATE EXTENSION IF NOT EXISTS btree_gist;\n\n"
                     "ALTER TABLE reservations\n"
                     "    ADD CONSTRAINT reservations_no_overlap\n"
                     "    EXCLUDE USING gist (table_id WITH =, tstzrange(starts_at, ends_at) WITH &&)\n"
                     "    WHERE (status = 'confirmed');\n"),
        ],
        reviewers=["sato"], merged=(wd(7), "18:10"),
        commits=["Lock candidate table rows when reserving", "Add reservations_no_overlap exclusion constraint"],
        notes=[Note("sato", w.at(wd(7), "16:20", "sato"),
                    "btree_gist 拡張が必要です。マイグレーションの先頭に `CREATE EXTENSION` を入れてください。",
                    path="migrations/0011_reservations_no_overlap.sql", line_contains="CREATE EXTENSION",
                    replies=[("an", w.at(wd(7), "14:45", "an"), "Đã thêm rồi anh ạ, dòng 2. Thanks anh!")],
                    resolved=True),
               Note("sato", w.at(wd(7), "17:58", "sato"), "LGTM 👍 マージします。")])
    ws.chains.append(Chain("chain-double-booking", "double booking race condition",
                           ("slack", "double_booking", 0), ("issue", "double_booking"), ("mr", "double_booking_fix")))
    ws.decisions.append(Decision("dec-row-lock", "Prevent double booking with PostgreSQL row locks "
                                 "(SELECT ... FOR UPDATE) and an exclusion constraint, not a Redis lock",
                                 "sato", d, ("slack", "double_booking", 3)))
    ws.action_items.append(ActionItem("act-double-booking-fix", "an", "Fix the double booking bug (open an MR)",
                                      wd(7), ("slack", "double_booking", 5)))


def _timezone(w: Writer) -> None:
    """Time zone: reservation times shown in Tokyo time for Vietnamese restaurants."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(2)
    w.thread("timezone", "dev-frontend", d, [
        ("duc", "09:40", ("Khách ở Hà Nội báo giờ đặt bàn hiển thị lệch 2 tiếng: đặt 19:00 ở nhà hàng Phở Hoàn Kiếm mà "
                          "app hiện 21:00. `formatDateTime` đang hard-code `timeZone: 'Asia/Tokyo'`.")),
        ("suzuki", "11:52", ("あ、それ僕が入れたやつです…すみません。レストランのタイムゾーンを使うべきですね。"
                             "API の `/restaurants/{id}` に `timezone` があるのでそれを渡しましょう。"),
         {"react": [("bow", ["duc"])]}),
        ("duc", "10:05", ("Agreed. I'll make formatDateTime take the restaurant's time zone and fall back to the "
                          "browser's. Ticket: ⟦issue:timezone⟧")),
        ("suzuki", "12:20", "👍 お願いします。"),
    ])
    w.issue("timezone", "BOOK", d, "09:50", reporter="huong", assignee="duc", priority="高", milestone="v2.4",
            due=wd(4), summary="【Web】ベトナムの店舗で予約時刻が2時間ずれて表示される",
            description=("ハノイの店舗（Phở Hoàn Kiếm）で 19:00 に予約すると、予約一覧に 21:00 と表示される。\n"
                         "表示時のタイムゾーンが Asia/Tokyo 固定になっている。\n\n"
                         "Khách hàng tại Hà Nội phản ánh giờ hiển thị bị lệch +2 tiếng.\n\n"
                         "Slack: ⟦slack_url:timezone⟧"),
            comments=[("duc", wd(3), "15:10", "Fixed in ⟦mr_url:timezone_fix⟧ — dùng timezone của nhà hàng.", DONE),
                      ("mai", wd(4), "10:30", "Confirmed on staging (Hà Nội & Tokyo restaurants). 確認しました。",
                       CLOSED)])
    _mr(w, "timezone_fix", "web", wd(3), "11:00", "duc", "Show reservation times in the restaurant's time zone",
        "Closes ⟦issue:timezone⟧\n\n`formatDateTime` had `Asia/Tokyo` hard-coded, so restaurants in Việt Nam showed "
        "times 2 hours late. It now takes the restaurant's IANA time zone (from `GET /restaurants/{id}`) and falls "
        "back to the browser's zone.",
        [FileEdit("src/utils/format.ts",
                  "export function formatDateTime(iso: string, locale: string): string {\n"
                  "  return new Date(iso).toLocaleString(locale, {\n    timeZone: 'Asia/Tokyo',\n",
                  "export function formatDateTime(iso: string, locale: string, timeZone?: string): string {\n"
                  "  return new Date(iso).toLocaleString(locale, {\n    timeZone,\n"),
         FileEdit("src/components/ReservationList.tsx", "export function ReservationList() {",
                  "export function ReservationList({ timeZone }: { timeZone?: string }) {"),
         FileEdit("src/components/ReservationList.tsx", "{formatDateTime(r.starts_at, t.locale)}",
                  "{formatDateTime(r.starts_at, t.locale, timeZone)}")],
        reviewers=["suzuki"], merged=(wd(3), "16:30"),
        notes=[Note("suzuki", w.at(wd(3), "14:02", "suzuki"),
                    "`timeZone` が undefined のときはブラウザのタイムゾーンになるので OK です。LGTM")])
    ws.chains.append(Chain("chain-timezone", "reservation times shown in the wrong time zone",
                           ("slack", "timezone", 0), ("issue", "timezone"), ("mr", "timezone_fix")))


def _fullwidth_phone(w: Writer) -> None:
    """Full-width digits in phone numbers rejected by the form."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(6)
    w.thread("fullwidth_phone", "qa-bugs", d, [
        ("tanaka", "10:15", ("クライアントから報告です。電話番号を全角数字（０９０−１２３４−５６７８）で入力すると"
                             "「正しい電話番号を入力してください。」と出て予約できないそうです。日本のユーザーは全角で"
                             "入力することが多いので、優先度高めでお願いします。")),
        ("huong", "08:40", ("⟦@duc⟧ Khách Nhật hay nhập số điện thoại bằng chữ số full-width, validation đang từ chối. "
                            "Em xử lý giúp chị nhé, ưu tiên cao. Backlog: ⟦issue:fullwidth_phone⟧")),
        ("duc", "08:55", "Dạ, em sẽ normalize NFKC trước khi validate, xử lý cả dấu gạch ngang full-width nữa."),
        ("huong", "09:02", "田中さん、ドゥックさんが本日対応します。全角数字とハイフンを正規化してからチェックする方針です。",
         {"react": [("pray", ["tanaka"])]}),
    ])
    w.issue("fullwidth_phone", "BOOK", d, "10:20", reporter="tanaka", assignee="duc", priority="高",
            milestone="v2.4", due=wd(8), summary="【予約フォーム】全角数字の電話番号がエラーになる",
            description=("電話番号欄に全角数字・全角ハイフンで入力するとバリデーションエラーになる。\n"
                         "例: ０９０−１２３４−５６７８\n\n期待結果: 半角に正規化して受け付ける。\n\n"
                         "Slack: ⟦slack_url:fullwidth_phone⟧"),
            comments=[("duc", wd(7), "11:30", "MR ⟦mr_url:fullwidth_phone_fix⟧ đã merge, dùng `normalize('NFKC')`.",
                       DONE),
                      ("tanaka", wd(8), "13:00", "ステージングで確認しました。ありがとうございます！", CLOSED)])
    _mr(w, "fullwidth_phone_fix", "web", wd(7), "09:20", "duc", "Accept full-width digits and hyphens in phone numbers",
        "Closes ⟦issue:fullwidth_phone⟧\n\nNormalize with NFKC and strip hyphen-like characters (including "
        "U+2212 and U+FF0D) before matching the pattern.",
        [FileEdit("src/utils/validation.ts",
                  "export function isValidPhone(input: string): boolean {\n"
                  "  return PHONE_PATTERN.test(input.replace(/-/g, ''));\n}\n",
                  "// Japanese users often type full-width digits (０９０) and dashes (−, －).\n"
                  "export function normalizePhone(input: string): string {\n"
                  "  return input.normalize('NFKC').replace(/[-\\u2010-\\u2015\\u2212\\uff0d\\s]/g, '');\n}\n\n"
                  "export function isValidPhone(input: string): boolean {\n"
                  "  return PHONE_PATTERN.test(normalizePhone(input));\n}\n")],
        reviewers=["suzuki"], merged=(wd(7), "13:10"))
    ws.chains.append(Chain("chain-fullwidth-phone", "full-width phone numbers rejected",
                           ("slack", "fullwidth_phone", 0), ("issue", "fullwidth_phone"), ("mr", "fullwidth_phone_fix")))


def _reset_ttl(w: Writer) -> None:
    """Password reset links expire after 30 seconds instead of 30 minutes."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(8)
    w.thread("reset_ttl", "dev-backend", d, [
        ("ha", "14:10", ("Link reset mật khẩu hết hạn gần như ngay lập tức, mình test thì sau 30 giây đã báo expired. "
                         "Config `RESET_TOKEN_TTL=30` là phút nhưng code dùng `timedelta(seconds=...)`.")),
        ("an", "14:18", "Đúng rồi, sửa thành `minutes=` là xong. Mình nghĩ vẫn giữ 30 phút như spec."),
        ("sato", "16:30", "仕様通り30分でOKです。単位のテストも追加してください。", {"react": [("ok_hand", ["ha"])]}),
        ("ha", "14:45", "Ok anh, em làm luôn. ⟦issue:reset_ttl⟧"),
    ])
    w.issue("reset_ttl", "BOOK", d, "14:30", reporter="ha", assignee="ha", priority="高", milestone="v2.4",
            due=wd(9), summary="パスワード再設定リンクがすぐに期限切れになる",
            description=("RESET_TOKEN_TTL は分単位の設定（30）だが、コードで秒として扱われているため 30 秒で失効する。\n"
                         "Link reset mật khẩu hết hạn sau 30 giây thay vì 30 phút.\n\nSlack: ⟦slack_url:reset_ttl⟧"),
            comments=[("ha", wd(9), "10:40", "⟦mr_url:reset_ttl_fix⟧", DONE),
                      ("mai", wd(9), "16:00", "OK trên staging: link còn hiệu lực sau 29 phút, hết hạn sau 31 phút.",
                       CLOSED)])
    _mr(w, "reset_ttl_fix", "api", wd(9), "09:30", "ha", "Password reset tokens live 30 minutes, not 30 seconds",
        "Closes ⟦issue:reset_ttl⟧\n\n`settings.reset_token_ttl` is in minutes (see config.py) but was passed as "
        "`seconds=`.",
        [FileEdit("app/services/password_reset.py",
                  "timedelta(seconds=settings.reset_token_ttl)", "timedelta(minutes=settings.reset_token_ttl)"),
         FileEdit("tests/test_password_reset.py", None,
                  "from datetime import timedelta\n\nfrom app.config import settings\n\n\n"
                  "def test_reset_token_ttl_is_in_minutes():\n"
                  "    assert settings.reset_token_ttl == 30\n"
                  "    assert timedelta(minutes=settings.reset_token_ttl) == timedelta(seconds=1800)\n")],
        reviewers=["an"], merged=(wd(9), "10:20"))
    ws.chains.append(Chain("chain-reset-ttl", "password reset link expires immediately",
                           ("slack", "reset_ttl", 0), ("issue", "reset_ttl"), ("mr", "reset_ttl_fix")))


def _pagination(w: Writer) -> None:
    """Pagination regression: "has_next" MR drops the last item of every page."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    _mr(w, "pagination_regression", "api", wd(9), "11:15", "ha", "Return has_next from the reservation list",
        "The web app wants to know whether a next page exists without a second count query. Fetch one extra row "
        "and report `has_next`.\n\nRefs BOOK board discussion in #dev-backend.",
        [FileEdit("app/routers/reservations.py",
                  "        customer_id, offset, limit,\n    )\n"
                  "    total = await fetchrow(\"SELECT count(*) AS n FROM reservations WHERE customer_id = $1\", customer_id)\n"
                  "    return Page(items=[Reservation(**dict(r)) for r in rows], page=page,\n",
                  "        customer_id, offset, limit + 1,\n    )\n"
                  "    has_next = len(rows) > limit\n"
                  "    items = rows[: limit - 1] if has_next else rows\n"
                  "    total = await fetchrow(\"SELECT count(*) AS n FROM reservations WHERE customer_id = $1\", customer_id)\n"
                  "    return Page(items=[Reservation(**dict(r)) for r in items], page=page,\n")],
        reviewers=["an"], merged=(wd(9), "17:40"), labels=["feature"], branch="feature/has-next",
        defects=[Defect("app/routers/reservations.py", "items = rows[: limit - 1]", "off_by_one",
                        "Slices one row short: every full page loses its last reservation.")])
    d = wd(11)
    w.thread("pagination_bug", "qa-bugs", d, [
        ("mai", "09:25", ("Trang danh sách đặt bàn chỉ hiện 19 mục thay vì 20, mục cuối của mỗi trang bị mất. Bị từ "
                          "bản deploy staging hôm thứ Sáu. ⟦@ha⟧ ⟦@an⟧"),
         {"react": [("eyes", ["ha"])]}),
        ("an", "09:48", ("Mình xem rồi: do MR ⟦mr:pagination_regression⟧ (has_next), `rows[: limit - 1]` lệch một. "
                         "Phải là `rows[:limit]`.")),
        ("ha", "09:55", "Ôi lỗi của mình 🙏 Mình sửa ngay, thêm test cho trang đầy đủ 20 mục luôn. ⟦issue:pagination_bug⟧",
         {"react": [("muscle", ["an", "mai"])]}),
        ("sato", "12:10", "リグレッションの原因は ⟦mr:pagination_regression⟧ ですね。修正MRにテストを必ず入れてください。"),
    ])
    w.issue("pagination_bug", "BOOK", d, "09:35", reporter="mai", assignee="ha", priority="高", milestone="v2.4",
            due=wd(12), summary="予約一覧で各ページの最後の1件が表示されない",
            description=("per_page=20 で一覧を取得すると 19 件しか返らない（最終ページ以外）。\n"
                         "Danh sách đặt bàn mỗi trang thiếu mục cuối. Regression từ ⟦mr_url:pagination_regression⟧.\n\n"
                         "Slack: ⟦slack_url:pagination_bug⟧"),
            comments=[("ha", d, "11:20", "Fix: ⟦mr_url:pagination_fix⟧", DOING),
                      ("ha", wd(12), "10:00", "Đã merge và deploy staging.", DONE),
                      ("mai", wd(12), "15:30", "Đã kiểm tra: 20/20 mục mỗi trang. Close.", CLOSED)])
    _mr(w, "pagination_fix", "api", d, "10:40", "ha", "Fix off-by-one in reservation list page slicing",
        "Closes ⟦issue:pagination_bug⟧\n\nRegression from ⟦mr:pagination_regression⟧: a full page returned "
        "`per_page - 1` items. Adds a regression test.",
        [FileEdit("app/routers/reservations.py", "    items = rows[: limit - 1] if has_next else rows\n",
                  "    items = rows[:limit]\n"),
         FileEdit("tests/test_reservations_page.py", None,
                  "def slice_page(rows, limit):\n    return rows[:limit], len(rows) > limit\n\n\n"
                  "def test_full_page_keeps_every_item():\n"
                  "    items, has_next = slice_page(list(range(21)), 20)\n"
                  "    assert len(items) == 20 and has_next\n\n\n"
                  "def test_last_page():\n"
                  "    items, has_next = slice_page(list(range(7)), 20)\n"
                  "    assert len(items) == 7 and not has_next\n")],
        reviewers=["an", "sato"], merged=(wd(12), "09:30"), merged_by="an")
    ws.chains.append(Chain("chain-pagination", "reservation list drops the last item of each page",
                           ("slack", "pagination_bug", 0), ("issue", "pagination_bug"), ("mr", "pagination_fix")))


def _vnd_decimals(w: Writer) -> None:
    """VND amounts shown with two decimals."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(10)
    w.thread("vnd_decimals", "design-ux", d, [
        ("yamamoto", "13:30", ("ベトナム語表示で金額が「150.000,00 ₫」になっています。ドンには小数点以下がないので"
                               "表示しないでください。円も「¥1,200.00」になっています。")),
        ("huong", "11:40", "⟦@duc⟧ Tiền VND và JPY đang hiển thị 2 chữ số thập phân, chị Yamamoto nhờ bỏ đi."),
        ("duc", "11:52", ("Em sửa: bỏ `minimumFractionDigits`, để Intl tự dùng số chữ số thập phân của từng loại tiền. "
                          "⟦issue:vnd_decimals⟧")),
        ("yamamoto", "14:10", "ありがとうございます！USDは小数2桁のままでお願いします。"),
    ])
    w.issue("vnd_decimals", "BOOK", d, "13:40", reporter="yamamoto", assignee="duc", priority="中", milestone="v2.4",
            due=wd(12), issue_type="バグ", summary="【表示】ベトナムドンと円の金額に小数点以下が表示される",
            description=("VND: 150.000,00 ₫ → 150.000 ₫、JPY: ¥1,200.00 → ¥1,200 と表示してほしい。\n"
                         "USD は小数2桁のまま。\n\nSlack: ⟦slack_url:vnd_decimals⟧"),
            comments=[("duc", wd(11), "10:15", "⟦mr_url:vnd_decimals_fix⟧", DONE),
                      ("yamamoto", wd(11), "16:00", "確認しました。", CLOSED)])
    _mr(w, "vnd_decimals_fix", "web", wd(11), "09:10", "duc", "Let Intl choose fraction digits per currency",
        "Closes ⟦issue:vnd_decimals⟧\n\nJPY and VND have no minor unit; forcing `minimumFractionDigits: 2` printed "
        "`¥1,200.00` and `150.000,00 ₫`.",
        [FileEdit("src/utils/format.ts",
                  "  return new Intl.NumberFormat(locale, {\n    style: 'currency',\n    currency,\n"
                  "    minimumFractionDigits: 2,\n  }).format(amount);\n",
                  "  // Intl knows each currency's minor unit: 0 for JPY and VND, 2 for USD.\n"
                  "  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);\n"),
         FileEdit("src/utils/format.test.ts", "    expect(formatCurrency(1200, 'JPY', 'ja-JP')).toContain('1,200');\n  });\n",
                  "    expect(formatCurrency(1200, 'JPY', 'ja-JP')).toContain('1,200');\n"
                  "    expect(formatCurrency(1200, 'JPY', 'ja-JP')).not.toContain('.00');\n  });\n\n"
                  "  it('formats dong without decimals', () => {\n"
                  "    expect(formatCurrency(150000, 'VND', 'vi-VN')).toBe('150.000\\u00a0₫');\n  });\n")],
        reviewers=["suzuki"], merged=(wd(11), "12:05"))
    ws.chains.append(Chain("chain-vnd-decimals", "currency amounts shown with decimals",
                           ("slack", "vnd_decimals", 0), ("issue", "vnd_decimals"), ("mr", "vnd_decimals_fix")))


def _slow_search(w: Writer) -> None:
    """Slow restaurant search after the Osaka import."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(12)
    w.thread("slow_search", "dev-backend", d, [
        ("bao", "10:05", ("Heads-up: p95 of `GET /restaurants?q=` jumped to 2.8 s in production after the Osaka import "
                          "(120k rows). Seq scan on `restaurants.name` because of the leading-wildcard ILIKE.")),
        ("sato", "12:20", "pg_trgm の GIN インデックスを追加しましょう。`CREATE INDEX CONCURRENTLY` でお願いします。"),
        ("an", "10:31", "Em làm migration luôn. ⟦issue:slow_search⟧"),
        ("bao", "+1 10:10", "After ⟦mr:slow_search_fix⟧ p95 is 85 ms. 🎉", {"react": [("tada", ["an", "sato", "ha"])]}),
    ])
    w.issue("slow_search", "OPS", d, "10:15", reporter="bao", assignee="an", priority="高", issue_type="タスク",
            due=wd(13), summary="店舗検索APIが遅い（p95 2.8秒）",
            description=("大阪エリアの店舗データ投入（12万件）後、GET /restaurants?q= の p95 が 2.8 秒に悪化。\n"
                         "Seq scan on restaurants.name (ILIKE '%...%').\n\nSlack: ⟦slack_url:slow_search⟧"),
            comments=[("an", d, "15:00", "⟦mr_url:slow_search_fix⟧", DOING),
                      ("bao", wd(13), "10:12", "Deployed; p95 85 ms. 対応完了です。", CLOSED)])
    _mr(w, "slow_search_fix", "api", d, "14:40", "an", "Add a trigram index for restaurant name search",
        "Closes ⟦issue:slow_search⟧\n\n`ILIKE '%q%'` cannot use a btree index. A GIN trigram index brings p95 from "
        "2.8 s to ~85 ms on a production snapshot. Created CONCURRENTLY so the table is not locked.",
        [FileEdit("migrations/0012_restaurants_name_trgm.sql", None,
                  "-- Speeds up ILIKE '%q%' searches on restaurant names (OPS issue: p95 2.8 s).\n"
                  "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n\n"
                  "CREATE INDEX CONCURRENTLY IF NOT EXISTS restaurants_name_trgm\n"
                  "    ON restaurants USING gin (name gin_trgm_ops);\n")],
        reviewers=["sato"], merged=(wd(12), "17:30"), labels=["performance"])
    ws.chains.append(Chain("chain-slow-search", "slow restaurant search",
                           ("slack", "slow_search", 0), ("issue", "slow_search"), ("mr", "slow_search_fix")))


def _duplicate_email(w: Writer) -> None:
    """Duplicate confirmation e-mails after an SMTP timeout."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(14)
    w.thread("duplicate_email", "qa-bugs", d, [
        ("huong", "09:30", ("Khách báo nhận 2 email xác nhận cho cùng một lần đặt bàn, có 3 trường hợp hôm qua. "
                            "お客様から確認メールが2通届いたという問い合わせが3件ありました。")),
        ("an", "09:52", ("SMTP timeout 5s nhưng server vẫn nhận mail, mình retry nên gửi 2 lần. Cần idempotency key "
                         "theo reservation id.")),
        ("sato", "12:05", "送信ログのテーブルで冪等にしてください。リトライ自体は残してOKです。"),
        ("an", "10:20", "Ok anh. ⟦issue:duplicate_email⟧"),
    ])
    w.issue("duplicate_email", "BOOK", d, "09:40", reporter="huong", assignee="an", priority="中", milestone="v2.4",
            due=wd(16), summary="予約確認メールが重複して送信される",
            description=("SMTP サーバーの応答がタイムアウトした後にリトライするため、同じ予約の確認メールが2通届くことがある。\n"
                         "3件の問い合わせあり。\n\nSlack: ⟦slack_url:duplicate_email⟧"),
            comments=[("an", wd(15), "14:00", "⟦mr_url:duplicate_email_fix⟧", DONE)])
    _mr(w, "duplicate_email_fix", "api", wd(15), "11:00", "an", "Make reservation confirmation e-mails idempotent",
        "Closes ⟦issue:duplicate_email⟧\n\nAn SMTP timeout after the server accepted the message made us send it "
        "again. Record each sent confirmation in `notification_log` (unique per reservation and kind) and skip when "
        "present.",
        [FileEdit("app/services/notifications.py", "from app.config import settings\n",
                  "from app.config import settings\nfrom app.db import execute, fetchrow\n"),
         FileEdit("app/services/notifications.py",
                  "    message = render_confirmation(reservation_id, customer_email, starts_at_local)\n",
                  "    if await fetchrow(\n"
                  "        \"SELECT 1 FROM notification_log WHERE reservation_id = $1 AND kind = 'confirmation'\",\n"
                  "        reservation_id,\n    ):\n"
                  "        return  # already sent; a retry after a timeout must not send it twice\n"
                  "    message = render_confirmation(reservation_id, customer_email, starts_at_local)\n"),
         FileEdit("app/services/notifications.py",
                  "            await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port, timeout=5)\n"
                  "            return\n",
                  "            await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port, timeout=5)\n"
                  "            await execute(\n"
                  "                \"INSERT INTO notification_log (reservation_id, kind) VALUES ($1, 'confirmation') \"\n"
                  "                \"ON CONFLICT DO NOTHING\",\n"
                  "                reservation_id,\n            )\n"
                  "            return\n"),
         FileEdit("migrations/0013_notification_log.sql", None,
                  "CREATE TABLE IF NOT EXISTS notification_log (\n"
                  "    reservation_id bigint NOT NULL REFERENCES reservations (id),\n"
                  "    kind text NOT NULL,\n"
                  "    sent_at timestamptz NOT NULL DEFAULT now(),\n"
                  "    PRIMARY KEY (reservation_id, kind)\n);\n")],
        reviewers=["sato"], merged=(wd(15), "18:20"),
        notes=[Note("sato", w.at(wd(15), "17:40", "sato"),
                    "タイムアウト時、実際には送信されていないケースもありますよね。その場合は再送されるのでこの実装でOKです。",
                    path="app/services/notifications.py", line_contains="already sent; a retry",
                    replies=[("an", w.at(wd(15), "15:50", "an"), "Vâng, chỉ ghi log khi gửi thành công.")],
                    resolved=True)])
    ws.chains.append(Chain("chain-duplicate-email", "duplicate confirmation e-mails",
                           ("slack", "duplicate_email", 0), ("issue", "duplicate_email"), ("mr", "duplicate_email_fix")))


def _polling_leak(w: Writer) -> None:
    """Availability polling never cleared: requests pile up."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(15)
    w.thread("polling_leak", "dev-frontend", d, [
        ("suzuki", "11:00", ("予約画面を何度か開き直すと availability API へのリクエストがどんどん増えていきます。"
                             "`useAvailability` で `setInterval` を clear していないのが原因です。")),
        ("duc", "09:15", "My bad, em quên cleanup trong useEffect. Sửa ngay ạ. ⟦issue:polling_leak⟧"),
        ("suzuki", "11:30", "ついでに画面が非表示のときはポーリングを止めてもらえると嬉しいです。"),
        ("duc", "09:40", "OK, I'll pause polling while the tab is hidden too."),
    ])
    w.issue("polling_leak", "BOOK", d, "11:10", reporter="suzuki", assignee="duc", priority="中", milestone="v2.4",
            due=wd(17), summary="空き状況のポーリングが画面遷移のたびに増える",
            description=("予約画面を開き直すたびに setInterval が追加され、/availability へのリクエストが増え続ける。\n\n"
                         "Slack: ⟦slack_url:polling_leak⟧"),
            comments=[("duc", wd(16), "10:00", "⟦mr_url:polling_leak_fix⟧", DONE),
                      ("suzuki", wd(16), "15:00", "確認OKです。", CLOSED)])
    _mr(w, "polling_leak_fix", "web", wd(16), "08:50", "duc", "Clear the availability polling interval on unmount",
        "Closes ⟦issue:polling_leak⟧\n\nReturn a cleanup from the effect and skip polling while the tab is hidden.",
        [FileEdit("src/hooks/useAvailability.ts",
                  "    load();\n    setInterval(load, AVAILABILITY_POLL_MS);\n  }, [restaurantId, day]);\n",
                  "    load();\n"
                  "    const timer = setInterval(() => {\n"
                  "      if (document.visibilityState === 'visible') load();\n"
                  "    }, AVAILABILITY_POLL_MS);\n"
                  "    return () => clearInterval(timer);\n"
                  "  }, [restaurantId, day]);\n")],
        reviewers=["suzuki"], merged=(wd(16), "11:45"))
    ws.chains.append(Chain("chain-polling-leak", "availability polling leak",
                           ("slack", "polling_leak", 0), ("issue", "polling_leak"), ("mr", "polling_leak_fix")))


def _csv_bom(w: Writer) -> None:
    """CSV export garbled in Excel (no BOM)."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(16)
    w.thread("csv_bom", "general", d, [
        ("tanaka", "10:40", ("店舗オーナーから、予約CSVをExcelで開くと日本語が文字化けすると連絡がありました。"
                             "どなたか確認お願いできますか？")),
        ("huong", "08:45", "⟦@ha⟧ File CSV đặt bàn mở bằng Excel bị lỗi font tiếng Nhật, em xem giúp chị nhé."),
        ("ha", "09:05", ("Thiếu BOM UTF-8 nên Excel trên Windows không nhận ra encoding. Em đổi sang `utf-8-sig`. "
                         "⟦issue:csv_bom⟧")),
        ("huong", "09:10", "田中さん、原因はBOMなしのUTF-8でした。ハーさんが本日修正します。"),
        ("tanaka", "11:20", "ありがとうございます！", {"react": [("pray", ["huong", "ha"])]}),
    ])
    w.issue("csv_bom", "OPS", d, "10:50", reporter="tanaka", assignee="ha", priority="中", issue_type="バグ",
            due=wd(17), summary="予約CSVをExcelで開くと文字化けする",
            description=("店舗オーナー向けの予約CSVエクスポートを Excel (Windows) で開くと、顧客名などの日本語が文字化けする。\n\n"
                         "Slack: ⟦slack_url:csv_bom⟧"),
            comments=[("ha", d, "15:30", "MR: ⟦mr_url:csv_bom_fix⟧ (UTF-8 BOM)", DOING),
                      ("ha", wd(17), "10:00", "Deployed to production.", DONE),
                      ("tanaka", wd(17), "15:00", "オーナー様にも確認いただきました。", CLOSED)])
    _mr(w, "csv_bom_fix", "api", d, "14:50", "ha", "Export reservations CSV with a UTF-8 BOM for Excel",
        "Closes ⟦issue:csv_bom⟧\n\nExcel on Windows assumes Shift_JIS without a BOM.",
        [FileEdit("app/services/export.py", "    return buf.getvalue().encode(\"utf-8\")\n",
                  "    # Excel on Windows only detects UTF-8 when the file starts with a BOM.\n"
                  "    return buf.getvalue().encode(\"utf-8-sig\")\n")],
        reviewers=["an"], merged=(wd(16), "17:30"))
    ws.chains.append(Chain("chain-csv-bom", "CSV export garbled in Excel",
                           ("slack", "csv_bom", 0), ("issue", "csv_bom"), ("mr", "csv_bom_fix")))


def _refund_rounding(w: Writer) -> None:
    """Refund one yen short: float arithmetic truncates. Decision: round half up in the customer's favour."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(17)
    w.thread("refund_rounding", "dev-backend", d, [
        ("tanaka", "10:00", ("6時間前キャンセルの返金額が1円少ないと経理から指摘がありました（預り金 1,005円 → 返金 502円、"
                             "正しくは 503円）。端数は切り上げて、お客様に有利にする方針でお願いします。"),
         {"react": [("memo", ["huong"])]}),
        ("huong", "08:20", ("Anh Tanaka quyết định: tiền hoàn khi hủy trước 6 tiếng làm tròn lên (có lợi cho khách). "
                            "⟦@an⟧ em xem giúp nhé. ⟦issue:refund_rounding⟧")),
        ("an", "08:40", "Dùng `Decimal` với `ROUND_HALF_UP` thay cho `int(deposit * 0.5)`. Em làm trong hôm nay."),
    ])
    w.issue("refund_rounding", "BOOK", d, "10:10", reporter="tanaka", assignee="an", priority="中", milestone="v2.4",
            due=wd(19), summary="キャンセル返金額が1円少なくなる場合がある",
            description=("預り金が奇数の場合、6〜24時間前キャンセルの返金額（50%）が切り捨てになり1円少ない。\n"
                         "方針: 端数は切り上げ（お客様有利）。\n\nSlack: ⟦slack_url:refund_rounding⟧"),
            comments=[("an", d, "15:00", "⟦mr_url:refund_rounding_fix⟧", DONE)])
    _mr(w, "refund_rounding_fix", "api", d, "13:30", "an", "Round half refunds up with Decimal",
        "Closes ⟦issue:refund_rounding⟧\n\nPer the decision in Slack (@h.tanaka): a half refund rounds up in the "
        "customer's favour. 1,005 yen deposit → 503 yen refund.",
        [FileEdit("app/services/pricing.py", "from app.config import settings\n",
                  "from decimal import ROUND_HALF_UP, Decimal\n\nfrom app.config import settings\n"),
         FileEdit("app/services/pricing.py", "        return int(deposit * 0.5)\n",
                  "        # Round in the customer's favour: 1,005 yen -> 503 yen.\n"
                  "        return int((Decimal(deposit) / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP))\n"),
         FileEdit("tests/test_pricing.py", "def test_no_refund_at_the_last_minute():",
                  "def test_half_refund_rounds_up():\n    assert refund_amount(1005, 10) == 503\n\n\n"
                  "def test_no_refund_at_the_last_minute():")],
        reviewers=["sato"], merged=(wd(18), "10:15"))
    ws.chains.append(Chain("chain-refund-rounding", "refund one yen short",
                           ("slack", "refund_rounding", 0), ("issue", "refund_rounding"), ("mr", "refund_rounding_fix")))
    ws.decisions.append(Decision("dec-refund-rounding", "Half refunds round up, in the customer's favour",
                                 "tanaka", d, ("slack", "refund_rounding", 0)))


def _login_lockout(w: Writer) -> None:
    """Login rate limit by IP locks out a whole office. Decision: per account, 10 per 5 minutes."""
    tl, ws = w.tl, w.ws
    wd = tl.workday
    d = wd(18)
    w.thread("login_lockout", "dev-backend", d, [
        ("bao", "09:05", ("Support ticket: the whole Kumo Foods HQ office (one NAT IP) got locked out of login for "
                          "5 minutes this morning. We rate-limit by client IP.")),
        ("sato", "11:20", ("IPではなくアカウント（メールアドレス）単位で、5分間に10回までにしましょう。"
                           "IP単位の制限はWAF側に任せます。"), {"react": [("+1", ["bao", "an", "ha"])]}),
        ("bao", "09:30", ("Agreed: per account, 10 attempts per 5 minutes; IP limits stay in the WAF. "
                          "⟦@ha⟧ can you take it? ⟦issue:login_lockout⟧")),
        ("ha", "09:41", "Ok anh, chiều nay em mở MR."),
    ])
    w.issue("login_lockout", "OPS", d, "09:15", reporter="bao", assignee="ha", priority="高", issue_type="バグ",
            due=tl.after_end(3), summary="本社オフィスの全員がログインできなくなる（IP単位のレート制限）",
            description=("ログイン試行の制限がクライアントIP単位のため、NAT配下のオフィス全員が5分間ログインできなくなった。\n"
                         "方針: アカウント単位で5分間に10回まで。\n\nSlack: ⟦slack_url:login_lockout⟧"),
            comments=[("ha", d, "16:30", "MR đang review: ⟦mr_url:login_lockout_fix⟧", DOING)])
    _mr(w, "login_lockout_fix", "api", d, "16:10", "ha", "Rate-limit login attempts per account instead of per IP",
        "Closes ⟦issue:login_lockout⟧\n\nA whole office behind one NAT address was locked out. Key the counter on "
        "the normalised e-mail; IP-based limits stay in the WAF (decided with @y.sato).",
        [FileEdit("app/routers/auth.py", "    key = f\"login:{request.client.host}\"\n",
                  "    # Per account, not per IP: offices share one NAT address (OPS ticket).\n"
                  "    key = f\"login:{form.email.strip().lower()}\"\n")],
        reviewers=["sato", "bao"], labels=["bug", "security"])
    ws.chains.append(Chain("chain-login-lockout", "office locked out by IP rate limit",
                           ("slack", "login_lockout", 0), ("issue", "login_lockout"), ("mr", "login_lockout_fix")))
    ws.decisions.append(Decision("dec-login-limit", "Limit login attempts per account (10 per 5 minutes), "
                                 "leave IP limits to the WAF", "sato", d, ("slack", "login_lockout", 1)))


# The stories in the order they are written: the demo's random draws depend on it.
STORIES = (
    _double_booking, _timezone, _fullwidth_phone, _reset_ttl, _pagination, _vnd_decimals, _slow_search,
    _duplicate_email, _polling_leak, _csv_bom, _refund_rounding, _login_lockout,
)


def write_chains(w: Writer) -> None:
    for story in STORIES:
        story(w)
