"""Multilingual phrase pools for everyday Slack traffic. Real sentences, varied by slots."""
from __future__ import annotations

# Stand-up items per role: (vi, ja, en)
STANDUP_ITEMS = {
    "backend": [
        ("viết API hủy đặt bàn", "予約キャンセルAPIの実装", "implementing the cancel reservation API"),
        ("review MR của team", "チームのMRレビュー", "reviewing the team's MRs"),
        ("sửa test bị flaky trên CI", "CIで不安定なテストの修正", "fixing a flaky test on CI"),
        ("tối ưu query tìm kiếm nhà hàng", "店舗検索クエリの最適化", "optimising the restaurant search query"),
        ("viết migration cho bảng notification_log", "notification_log テーブルのマイグレーション作成",
         "writing the notification_log migration"),
        ("điều tra lỗi timeout khi gửi email", "メール送信タイムアウトの調査", "investigating the e-mail timeouts"),
        ("thêm unit test cho pricing", "料金計算のユニットテスト追加", "adding unit tests for pricing"),
        ("đọc spec LINE notification", "LINE通知連携の仕様確認", "reading the LINE notification spec"),
        ("refactor router reservations", "reservations ルーターのリファクタリング", "refactoring the reservations router"),
        ("cập nhật tài liệu API", "APIドキュメントの更新", "updating the API docs"),
    ],
    "frontend": [
        ("làm màn hình danh sách đặt bàn", "予約一覧画面の実装", "building the reservation list screen"),
        ("sửa layout trên iPhone SE", "iPhone SE でのレイアウト修正", "fixing the layout on iPhone SE"),
        ("thêm bản dịch tiếng Việt còn thiếu", "足りないベトナム語訳の追加", "adding missing Vietnamese strings"),
        ("viết test cho format.ts", "format.ts のテスト作成", "writing tests for format.ts"),
        ("chuyển sang date-fns", "date-fns への移行", "moving date formatting to date-fns"),
        ("review MR của anh Suzuki", "ドゥックさんのMRレビュー", "reviewing frontend MRs"),
        ("làm component EmptyState theo design mới", "新デザインの EmptyState コンポーネント作成",
         "building the new EmptyState component"),
        ("cải thiện LCP trên mobile", "モバイルのLCP改善", "improving mobile LCP"),
    ],
    "qa": [
        ("test regression cho v2.4", "v2.4 の回帰テスト", "regression testing v2.4"),
        ("viết test case cho chức năng hủy đặt bàn", "キャンセル機能のテストケース作成", "writing test cases for cancellation"),
        ("kiểm tra bản dịch trên staging", "ステージングで翻訳チェック", "checking translations on staging"),
        ("test lại các bug đã fix", "修正済みバグの再テスト", "re-testing fixed bugs"),
        ("test trên thiết bị thật (iPhone, Android)", "実機テスト（iPhone・Android）", "testing on real devices"),
    ],
    "design": [
        ("thiết kế màn hình đặt bàn nhóm đông", "大人数予約画面のデザイン", "designing the large-group booking screen"),
        ("chỉnh style guide màu sắc", "カラーガイドの調整", "adjusting the colour guide"),
        ("làm mockup trang cá nhân", "マイページのモックアップ作成", "making my-page mockups"),
        ("review UI trên staging", "ステージングでUIレビュー", "reviewing the UI on staging"),
    ],
    "brse": [
        ("dịch tài liệu spec v2.5", "v2.5 仕様書の翻訳", "translating the v2.5 spec"),
        ("họp với khách Kumo Foods", "Kumo Foods 様との定例", "the weekly call with Kumo Foods"),
        ("tổng hợp câu hỏi Q&A cho khách", "お客様向けQ&Aの取りまとめ", "collecting Q&A for the client"),
        ("cập nhật Backlog sau buổi họp", "会議後のBacklog更新", "updating Backlog after the meeting"),
    ],
    "devops": [
        ("cấu hình alarm CloudWatch", "CloudWatch アラームの設定", "setting up CloudWatch alarms"),
        ("nâng cấp runner CI", "CIランナーのアップグレード", "upgrading the CI runners"),
        ("kiểm tra backup DB", "DBバックアップの確認", "checking DB backups"),
        ("giảm chi phí AWS", "AWSコスト削減", "cutting AWS costs"),
        ("cập nhật runbook", "手順書の更新", "updating runbooks"),
    ],
}
ROLE_OF = {"sato": "backend", "an": "backend", "ha": "backend", "suzuki": "frontend", "duc": "frontend",
           "mai": "qa", "yamamoto": "design", "huong": "brse", "bao": "devops"}
BLOCKERS = {
    "vi": ["không có", "không có gì", "đang chờ anh Sato review MR", "cần dữ liệu test trên staging"],
    "ja": ["なし", "特になし", "レビュー待ち", "ステージングのデータ待ち"],
    "en": ["none", "nothing", "waiting for a review", "need test data on staging"],
}

# Conversation scripts: channel, thread?, lines of (speaker selector, alternatives). Slots: {area_ja} {area_vi}
# {area_en} {n} {restaurant} {issue} {mr} {@x}; "A"/"B" reuse the first/second speaker.
SCRIPTS: list[tuple[str, bool, list[tuple[str, list[str]]]]] = [
    ("dev-backend", True, [
        ("vn_be", ["Mọi người ơi, staging đang trả 502 cho {area_en}, có ai deploy gì không?",
                   "Staging bị 502 ở API {area_en}, ai biết không ạ?"]),
        ("ops", ["Mình vừa restart container lúc nãy, chờ 1–2 phút nhé.", "I'm redeploying staging, give it two minutes."]),
        ("A", ["Ok đã chạy lại rồi, cảm ơn anh.", "Works now, thanks!"]),
    ]),
    ("dev-backend", True, [
        ("jp_be", ["{area_ja}のAPIでN+1クエリが発生しています。joinedload か一括取得にしましょう。",
                   "{area_ja}のエンドポイントが遅いです。クエリを確認してもらえますか？"]),
        ("vn_be", ["Em xem rồi, đúng là N+1. Em sửa trong MR tiếp theo ạ.", "Dạ, em kiểm tra ngay."]),
        ("A", ["ありがとうございます。", "よろしくお願いします。"]),
    ]),
    ("dev-backend", True, [
        ("vn_be", ["Có ai biết sao test `test_reserve_concurrently` fail random trên CI không?",
                   "CI lại đỏ vì test flaky, có ai đang xem không?"]),
        ("vn_be", ["Do sleep 0.1s không đủ, máy CI chậm. Nên dùng asyncio.Barrier.",
                   "Mình đoán do thứ tự request, để mình rerun thử."]),
        ("A", ["Chuẩn, để mình sửa.", "Ok, mình tạo issue rồi: {issue}"]),
    ]),
    ("dev-backend", False, [
        ("be", ["{mr} đã merge, mọi người pull main nhé.", "Merged {mr}. Please rebase your branches."]),
    ]),
    ("dev-backend", True, [
        ("jp_be", ["マイグレーションの番号が衝突しています。{@x} さん、番号を振り直してもらえますか？",
                   "main のマイグレーションが2つ同じ番号になっています。"]),
        ("vn_be", ["Xin lỗi anh, em đổi ngay ạ.", "Sorry, renaming mine now."]),
    ]),
    ("dev-backend", True, [
        ("brse", ["⟦@sato⟧ 佐藤さん、お客様から{area_ja}の仕様について質問が来ています。キャンセル後に同じ枠を再予約できますか？"]),
        ("jp_be", ["できます。キャンセルされた予約は空き判定から除外しています。"]),
        ("brse", ["ありがとうございます。お客様に回答します。", "承知しました。Backlog にも記載しておきます。"]),
    ]),
    ("dev-frontend", True, [
        ("fe", ["Storybook của {area_en} bị lỗi build, ai sửa dependency gì không?",
                "{area_en} の Storybook がビルドできません。"]),
        ("fe", ["Mình vừa bump vite, để mình xem.", "vite を上げたせいかもしれません。見てみます。"]),
        ("A", ["Ok 👍", "助かります！"]),
    ]),
    ("dev-frontend", True, [
        ("jp_fe", ["{area_ja}のコンポーネント、props が増えすぎているので分割しませんか？"]),
        ("vn_fe", ["Em đồng ý, em sẽ tách phần header và phần list ra.", "Agreed, I'll split it into two components."]),
    ]),
    ("dev-frontend", False, [
        ("fe", ["Mọi người nhớ chạy `npm run lint` trước khi push nhé, CI đang fail vì lint.",
                "lint エラーで CI が落ちています。push 前に `npm run lint` をお願いします。"]),
    ]),
    ("dev-frontend", True, [
        ("vn_fe", [("Bản dịch tiếng Việt của {area_vi} hơi dài, bị xuống dòng trên mobile. Chị Yamamoto xem giúp em có "
                    "rút gọn được không?")]),
        ("design", ["確認しました。フォントサイズを14pxにして、ボタンは2行でもOKにしましょう。"]),
        ("brse", ["Chị Yamamoto bảo: giảm font xuống 14px, nút có thể xuống 2 dòng cũng được."]),
    ]),
    ("qa-bugs", True, [
        ("qa", ["Bug nhỏ: {area_vi} hiển thị sai khi đổi ngôn ngữ sang tiếng Nhật. Đã tạo {issue}.",
                "Lỗi: {area_vi} không cập nhật sau khi hủy đặt bàn, mình tạo {issue} rồi nhé."]),
        ("dev", ["Em nhận ạ.", "Để em xem.", "I'll take it."]),
        ("A", ["Cảm ơn em!", "Thanks!"]),
    ]),
    ("qa-bugs", True, [
        ("qa", ["Trên Android Chrome, {area_vi} bị giật khi cuộn. Có ai tái hiện được không?"]),
        ("vn_fe", ["Em tái hiện được, do ảnh chưa lazy load.", "Em thử trên Pixel 7 thì không bị, chị dùng máy gì ạ?"]),
        ("A", ["Galaxy A52, Chrome mới nhất.", "Ok em, mình ghi vào issue {issue} nhé."]),
    ]),
    ("qa-bugs", True, [
        ("jp", ["ステージングで{area_ja}のテストをしましたが、特に問題ありませんでした。",
                "{area_ja}、ステージングで確認しました。OKです。"]),
        ("brse", ["Anh/chị bên Nhật đã test {area_vi} trên staging, không có vấn đề gì."]),
    ]),
    ("qa-bugs", False, [
        ("qa", ["Regression test hôm nay: {n}/{n} case pass ✅", "Hôm nay test xong {n} case, còn 3 case chờ fix."]),
    ]),
    ("release", False, [
        ("ops", ["Staging deploy done: booking-api and booking-web are on the latest main.",
                 "Đã deploy staging bản mới nhất của main."]),
    ]),
    ("release", True, [
        ("pm", ["リリースノートに入れる項目を {issue} にまとめました。漏れがあれば追記してください。"]),
        ("brse", ["Mọi người xem giúp list nội dung release note ở {issue}, thiếu gì thì bổ sung nhé."]),
        ("dev", ["Em thêm phần sửa lỗi {area_vi} rồi ạ.", "Added the {area_en} fix."]),
    ]),
    ("general", True, [
        ("pm", ["今週の定例は木曜 15:00（日本時間）です。アジェンダは Backlog を見てください。"]),
        ("brse", ["Họp định kỳ tuần này: thứ Năm 13:00 giờ Việt Nam (15:00 giờ Nhật). Agenda trên Backlog."]),
        ("vn", ["Dạ, em nắm rồi ạ.", "Noted 👍"]),
    ]),
    ("general", False, [
        ("vn", ["Chiều nay em xin nghỉ từ 15h vì có việc gia đình ạ.", "Em xin đi muộn 30 phút sáng nay ạ."]),
    ]),
    ("general", False, [
        ("jp", ["明日は有給をいただきます。急ぎの件は佐藤さんまでお願いします。", "本日は在宅勤務です。"]),
    ]),
    ("design-ux", True, [
        ("design", ["{area_ja}の新しいデザイン案を Figma に上げました。コメントお願いします。"]),
        ("brse", ["Chị Yamamoto đã up design mới cho {area_vi} lên Figma, mọi người comment nhé."]),
        ("fe", ["ボタンの余白が 12px と 16px で混在しているので揃えたいです。", "Em thấy đẹp hơn nhiều 👍"]),
    ]),
    ("design-ux", True, [
        ("fe", ["Icon trong {area_vi} nên dùng outline hay filled ạ?", "{area_ja}のアイコンは outline と filled どちらにしますか？"]),
        ("design", ["outline で統一してください。", "基本は outline、選択中だけ filled にしてください。"]),
    ]),
    ("random", False, [
        ("vn", ["Hà Nội hôm nay mưa to quá, mọi người đi làm cẩn thận nhé ☔", "Trưa nay team mình ăn bún chả nhé?",
                "Ai uống cà phê trứng không, mình order luôn ☕", "Cuối tuần này team đi ăn lẩu nhé!"]),
    ]),
    ("random", False, [
        ("jp", ["東京は今朝かなり冷えました。もう冬ですね。", "今日のランチはラーメンにしました🍜",
                "紅葉がきれいな季節になりました🍁", "来月の忘年会、場所の候補を募集中です。"]),
    ]),
    ("random", True, [
        ("vn", ["Mọi người ơi, có ai học tiếng Nhật N3 không, mình lập nhóm học nhé?"]),
        ("jp", ["いいですね！わからないところがあれば聞いてください。", "私もベトナム語を少し勉強しています。Cảm ơn!"]),
        ("A", ["ありがとうございます！", "Cảm ơn anh/chị nhiều ạ 😄"]),
    ]),
    ("random", False, [
        ("any", ["Happy Friday! 🎉", "Good morning team ☀️", "お疲れさまでした！", "Cuối tuần vui vẻ nhé mọi người!"]),
    ]),
]
