"""Everyday Backlog issues: bugs, tasks and requests across the booking product (BOOK) and operations (OPS)."""
from __future__ import annotations

import datetime as dt
import random

from demo.story_chains import CLOSED, DOING, DONE, OPEN
from demo.writer import Writer

AREAS = [  # ja, vi, en
    ("予約一覧", "danh sách đặt bàn", "reservation list"), ("予約フォーム", "form đặt bàn", "booking form"),
    ("店舗検索", "tìm kiếm nhà hàng", "restaurant search"), ("店舗詳細ページ", "trang chi tiết nhà hàng", "restaurant page"),
    ("マイページ", "trang cá nhân", "my page"), ("ログイン画面", "màn hình đăng nhập", "login screen"),
    ("決済画面", "màn hình thanh toán", "payment screen"), ("確認メール", "email xác nhận", "confirmation e-mail"),
    ("店舗管理画面", "màn hình quản lý nhà hàng", "owner dashboard"), ("レビュー機能", "chức năng đánh giá", "reviews"),
    ("空き状況カレンダー", "lịch bàn trống", "availability calendar"), ("メニュー表示", "hiển thị menu", "menu view"),
]
BUG_SYMPTOMS = [
    ("でボタンを連打すると二重送信される", "bấm liên tục thì request bị gửi hai lần"),
    ("がスマホ表示でレイアウト崩れする", "bị vỡ layout trên điện thoại"),
    ("のエラーメッセージが英語のまま表示される", "thông báo lỗi vẫn hiển thị tiếng Anh"),
    ("でベトナム語の翻訳が一部欠けている", "thiếu một số bản dịch tiếng Việt"),
    ("の読み込みが遅い（3秒以上）", "tải chậm (hơn 3 giây)"),
    ("でブラウザの戻るボタンを押すと入力内容が消える", "nhấn nút Back thì mất dữ liệu đã nhập"),
    ("で日付が1日ずれて表示される", "ngày hiển thị bị lệch một ngày"),
    ("で並び順が保存されない", "thứ tự sắp xếp không được lưu"),
    ("で文字数制限が効いていない", "giới hạn số ký tự không hoạt động"),
    ("でフォーカスが見えない（アクセシビリティ）", "không thấy focus khi dùng bàn phím"),
    ("で絵文字を入力すると保存に失敗する", "nhập emoji thì lưu bị lỗi"),
    ("で長い店舗名が切れて表示される", "tên nhà hàng dài bị cắt"),
]
TASKS = [
    ("のユニットテスト追加", "bổ sung unit test"), ("のリファクタリング", "refactor"),
    ("のログ出力整理", "chỉnh lại log"), ("のAPIドキュメント更新", "cập nhật tài liệu API"),
    ("のE2Eテスト作成", "viết E2E test"), ("のエラーレスポンスをRFC 9457形式に統一", "thống nhất lỗi theo RFC 9457"),
    ("の翻訳チェック（日・越・英）", "kiểm tra bản dịch (Nhật, Việt, Anh)"), ("の計測（パフォーマンス）", "đo hiệu năng"),
]
REQUESTS = [
    ("に絞り込み機能を追加したい", "thêm chức năng lọc"), ("にお気に入り登録を追加したい", "thêm chức năng yêu thích"),
    ("で並び替えができるようにしたい", "cho phép sắp xếp"), ("からCSV出力したい", "xuất CSV"),
    ("にダークモード対応してほしい", "hỗ trợ dark mode"), ("に営業時間の例外日を設定したい", "cài đặt ngày nghỉ đặc biệt"),
]
OPS_TASKS = [
    ("ステージング環境のSSL証明書更新", "Gia hạn chứng chỉ SSL cho staging"),
    ("本番DBのバックアップ復元テスト", "Test khôi phục backup DB production"),
    ("アプリログの保存期間を90日に変更", "Đổi thời gian lưu log thành 90 ngày"),
    ("CloudWatchアラームの閾値見直し", "Xem lại ngưỡng cảnh báo CloudWatch"),
    ("踏み台サーバーのOSアップデート", "Cập nhật OS cho bastion"),
    ("Secrets Managerのローテーション設定", "Cấu hình xoay vòng Secrets Manager"),
    ("未使用のEBSボリューム削除（コスト削減）", "Xóa EBS volume không dùng (giảm chi phí)"),
    ("WAFのレートルール見直し", "Xem lại rule rate limit của WAF"),
    ("問い合わせ: 予約確認メールが届かない", "Hỗ trợ: khách không nhận được email xác nhận"),
    ("問い合わせ: 店舗オーナーがパスワードを再設定できない", "Hỗ trợ: chủ nhà hàng không đặt lại được mật khẩu"),
    ("問い合わせ: 領収書の宛名を変更したい", "Hỗ trợ: khách muốn đổi tên trên hóa đơn"),
    ("CI の実行時間短縮（キャッシュ導入）", "Rút ngắn thời gian CI (dùng cache)"),
    ("本番デプロイ手順書の更新", "Cập nhật tài liệu deploy production"),
    ("監視ダッシュボードに予約数のグラフを追加", "Thêm biểu đồ số lượt đặt bàn vào dashboard"),
]
COMMENTS_START = [
    ("vi", "Em đang xử lý, dự kiến xong trong hôm nay."), ("vi", "Em nhận task này nhé."),
    ("ja", "対応開始します。"), ("en", "Picking this up."), ("ja", "ステージングで再現しました。調査します。"),
    ("vi", "Đã tái hiện được trên staging, đang tìm nguyên nhân."),
]
COMMENTS_DONE = [
    ("vi", "Đã fix, nhờ chị Mai test lại giúp em."), ("en", "Fixed and deployed to staging."),
    ("ja", "修正しました。ステージングで確認お願いします。"), ("vi", "Xong rồi, MR đã merge."),
]
COMMENTS_CLOSE = [
    ("vi", "Đã test lại, OK. Đóng issue."), ("ja", "確認しました。クローズします。"), ("en", "Verified, closing."),
]
COMMENTS_CHAT = [
    ("ja", "優先度を上げます。v2.4 に入れたいです。"), ("vi", "Chị Hương dịch giúp em comment này cho anh Tanaka nhé."),
    ("ja", "仕様を確認します。少々お待ちください。"), ("en", "Could you attach a screenshot and the browser version?"),
    ("vi", "Cái này liên quan đến issue hôm trước, em sẽ xử lý chung."), ("ja", "お客様への回答は私から送ります。"),
]


def write_filler_issues(w: Writer, rng: random.Random, count_book: int = 100, count_ops: int = 40) -> None:
    tl = w.tl
    days = tl.workdays()
    qa_like = ["mai", "huong", "tanaka", "yamamoto"]
    devs = ["an", "ha", "duc", "suzuki", "sato"]
    for n in range(count_book + count_ops):
        project = "BOOK" if n < count_book else "OPS"
        day = days[rng.randrange(len(days))]
        if project == "BOOK":
            area_ja, area_vi, _ = AREAS[n % len(AREAS)]
            kind = rng.choices(["バグ", "タスク", "要望"], weights=[5, 3, 2])[0]
            pool = {"バグ": BUG_SYMPTOMS, "タスク": TASKS, "要望": REQUESTS}[kind]
            ja, vi = pool[(n // len(AREAS) + n) % len(pool)]
            summary = f"{area_ja}{ja}"
            description = (f"{area_ja}{ja}。\n\n"
                           f"Mô tả: {area_vi[0].upper()}{area_vi[1:]} — {vi}.\n\n"
                           f"環境: {rng.choice(['ステージング', '本番', 'ローカル'])} / "
                           f"{rng.choice(['iPhone 15 Safari', 'Android Chrome', 'Windows Edge', 'Mac Chrome'])}")
            reporter = rng.choice(qa_like)
            assignee = rng.choice(devs)
            milestone = "v2.4" if day >= days[5] else "v2.3"
            if kind == "要望" and rng.random() < 0.5:
                milestone = "v2.5"
        else:
            ja, vi = OPS_TASKS[n % len(OPS_TASKS)]
            kind = "その他" if ja.startswith("問い合わせ") else "タスク"
            summary = ja if n < count_book + len(OPS_TASKS) else f"{ja}（{rng.choice(['2回目', '再発', 'フォローアップ'])}）"
            description = f"{ja}\n\n{vi}.\n\nOwner: Bảo / 担当: ボーさん"
            reporter, assignee, milestone = rng.choice(["bao", "huong", "tanaka", "sato"]), "bao", tl.ops_milestone
            if rng.random() < 0.3:
                assignee = rng.choice(["an", "ha"])
        created_when = f"{rng.randint(9, 17):02d}:{rng.randint(0, 59):02d}"
        comments: list[tuple] = []
        age = (tl.end - day).days
        stage = min(3, rng.randint(0, 3) + (1 if age > 10 else 0)) if rng.random() > 0.15 else 0
        cday = day
        flow = [(COMMENTS_START, DOING, assignee), (COMMENTS_DONE, DONE, assignee), (COMMENTS_CLOSE, CLOSED, reporter)]
        for pool, status, who in flow[:stage]:
            cday = min(tl.end, cday + dt.timedelta(days=rng.randint(0, 3)))
            comments.append((who, cday, f"{rng.randint(9, 17):02d}:{rng.randint(0, 59):02d}", rng.choice(pool)[1], status))
            if rng.random() < 0.3:
                chat_who = rng.choice(["huong", "tanaka", "sato", "mai"])
                comments.append((chat_who, cday, "18:30", rng.choice(COMMENTS_CHAT)[1]))
        comments.sort(key=lambda c: w.at(c[1], c[2], c[0]))
        issue = w.issue(f"filler_{project}_{n}", project, day, created_when, reporter=reporter, assignee=assignee,
                        summary=summary, description=description, issue_type=kind,
                        priority=rng.choices(["高", "中", "低"], weights=[2, 5, 3])[0], milestone=milestone,
                        due=(day + dt.timedelta(days=rng.choice([3, 5, 7, 10, 14]))) if rng.random() < 0.8 else None,
                        start=day, estimated_hours=rng.choice([None, 1, 2, 4, 8, 16]), comments=comments)
        if not comments:
            issue.status = OPEN
