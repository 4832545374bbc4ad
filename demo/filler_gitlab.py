"""Everyday merge requests and GitLab issues around the planted ones: i18n keys, dependency bumps, helpers."""
from __future__ import annotations

import json
import random
from collections.abc import Callable

from demo.model import Comment, FileEdit, GitLabIssue, MergeRequest, Note
from demo.people import person
from demo.writer import Writer

I18N = [  # key, en, ja, vi
    ("list.empty", "You have no reservations yet.", "予約はまだありません。", "Bạn chưa có đặt bàn nào."),
    ("list.cancel", "Cancel", "キャンセル", "Hủy"),
    ("list.cancelConfirm", "Cancel this reservation?", "この予約をキャンセルしますか？", "Bạn có chắc muốn hủy đặt bàn này?"),
    ("form.note", "Requests (allergies, seating)", "ご要望（アレルギー・席の希望など）", "Yêu cầu (dị ứng, chỗ ngồi)"),
    ("form.date", "Date", "日付", "Ngày"),
    ("form.time", "Time", "時間", "Giờ"),
    ("error.network", "Network error. Please try again.", "通信エラーが発生しました。もう一度お試しください。",
     "Lỗi kết nối. Vui lòng thử lại."),
    ("error.noTable", "No table is available at this time.", "この時間帯は満席です。", "Khung giờ này đã hết bàn."),
    ("deposit.label", "Deposit", "預り金", "Tiền đặt cọc"),
    ("deposit.refundPolicy", "Full refund up to 24 hours before; 50% up to 6 hours before.",
     "24時間前まで全額返金、6時間前まで50%返金します。", "Hoàn 100% nếu hủy trước 24 giờ, 50% nếu hủy trước 6 giờ."),
    ("restaurant.openingHours", "Opening hours", "営業時間", "Giờ mở cửa"),
    ("restaurant.closed", "Closed today", "本日定休日", "Hôm nay nghỉ"),
    ("auth.login", "Log in", "ログイン", "Đăng nhập"),
    ("auth.logout", "Log out", "ログアウト", "Đăng xuất"),
    ("auth.forgotPassword", "Forgot your password?", "パスワードをお忘れですか？", "Quên mật khẩu?"),
    ("auth.resetSent", "We sent you a link to reset your password.", "パスワード再設定用のリンクを送信しました。",
     "Chúng tôi đã gửi link đặt lại mật khẩu cho bạn."),
    ("reminder.dayBefore", "Remind me the day before", "前日にリマインドする", "Nhắc tôi trước một ngày"),
    ("common.save", "Save", "保存", "Lưu"),
]


def _add_i18n(keys: list[tuple[str, str, str, str]]) -> Callable[[dict[str, str]], list[FileEdit]]:
    def edits(tree: dict[str, str]) -> list[FileEdit]:
        out = []
        for col, lang in ((1, "en"), (2, "ja"), (3, "vi")):
            path = f"src/i18n/{lang}.json"
            data = json.loads(tree[path])
            data.update({k[0]: k[col] for k in keys})
            out.append(FileEdit(path, tree[path], json.dumps(data, ensure_ascii=False, indent=2) + "\n"))
        return out
    return edits


BUMPS = [  # project, title, [(path, old, new)]
    ("api", "chore(deps): bump fastapi to 0.115.8 and uvicorn to 0.34.0",
     [("requirements.txt", "fastapi==0.115.6", "fastapi==0.115.8"), ("requirements.txt", "uvicorn==0.32.1", "uvicorn==0.34.0")]),
    ("api", "chore(deps): bump pydantic to 2.10.6", [("requirements.txt", "pydantic==2.10.4", "pydantic==2.10.6")]),
    ("api", "chore(deps): bump pytest to 8.3.5", [("requirements.txt", "pytest==8.3.4", "pytest==8.3.5")]),
    ("web", "chore(deps): bump vite to 5.4.14 (dev server security fix)",
     [("package.json", "\"vite\": \"5.4.11\"", "\"vite\": \"5.4.14\"")]),
    ("web", "chore(deps): bump typescript to 5.7.3 and vitest to 2.1.9",
     [("package.json", "\"typescript\": \"5.6.3\"", "\"typescript\": \"5.7.3\""),
      ("package.json", "\"vitest\": \"2.1.8\"", "\"vitest\": \"2.1.9\"")]),
]

API_HELPERS = [  # title, description, edits
    ("Add server-side phone normalisation", "Mirror of the web fix: accept full-width digits on the API too.",
     [FileEdit("app/utils/phone.py", None,
               "\"\"\"Phone numbers as customers type them in Japan and Việt Nam.\"\"\"\nimport re\nimport unicodedata\n\n"
               "_DASHES = re.compile(r\"[-\\u2010-\\u2015\\u2212\\uff0d\\s]\")\n\n\n"
               "def normalize_phone(raw: str) -> str:\n    \"\"\"０９０−１２３４ → 0901234 (NFKC, no dashes or spaces).\"\"\"\n"
               "    return _DASHES.sub(\"\", unicodedata.normalize(\"NFKC\", raw))\n"),
      FileEdit("tests/test_phone.py", None,
               "from app.utils.phone import normalize_phone\n\n\n"
               "def test_full_width_digits_and_dash():\n    assert normalize_phone(\"０９０−１２３４−５６７８\") == \"09012345678\"\n\n\n"
               "def test_vietnamese_number_with_spaces():\n    assert normalize_phone(\"0912 345 678\") == \"0912345678\"\n")]),
    ("Add slugify for restaurant URLs", "Vietnamese names need đ → d besides stripping accents.",
     [FileEdit("app/utils/slug.py", None,
               "import re\nimport unicodedata\n\n\n"
               "def slugify(name: str) -> str:\n"
               "    \"\"\"'Phở Hoàn Kiếm' -> 'pho-hoan-kiem'. Japanese names keep their characters.\"\"\"\n"
               "    text = name.replace(\"đ\", \"d\").replace(\"Đ\", \"D\")\n"
               "    text = unicodedata.normalize(\"NFKD\", text)\n"
               "    text = \"\".join(c for c in text if not unicodedata.combining(c))\n"
               "    return re.sub(r\"[^\\w]+\", \"-\", text.lower()).strip(\"-\")\n"),
      FileEdit("tests/test_slug.py", None,
               "from app.utils.slug import slugify\n\n\n"
               "def test_vietnamese_name():\n    assert slugify(\"Phở Hoàn Kiếm\") == \"pho-hoan-kiem\"\n\n\n"
               "def test_d_with_stroke():\n    assert slugify(\"Bún Chả Đắc Kim\") == \"bun-cha-dac-kim\"\n")]),
    ("Add local day bounds helper", "Reports and reminders need the UTC range of a restaurant's local day.",
     [FileEdit("app/utils/dates.py", None,
               "from datetime import date, datetime, time, timedelta\nfrom zoneinfo import ZoneInfo\n\n\n"
               "def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:\n"
               "    \"\"\"Start (inclusive) and end (exclusive) of `day` in `tz`, as aware datetimes.\"\"\"\n"
               "    start = datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))\n"
               "    return start, start + timedelta(days=1)\n")]),
    ("Add /readyz that checks the database", "Kubernetes readiness probe: 503 until the pool answers.",
     [FileEdit("app/main.py", "",
               "\n\n@app.get(\"/readyz\")\nasync def readyz() -> dict[str, str]:\n"
               "    from app.db import fetchrow\n\n    await fetchrow(\"SELECT 1\")\n    return {\"status\": \"ready\"}\n")]),
    ("Add reminder hour setting", "Day-before reminders go out at 18:00 restaurant time by default.",
     [FileEdit("app/config.py", "    login_window_seconds: int = 300\n",
               "    login_window_seconds: int = 300\n    reminder_hour: int = int(os.environ.get(\"REMINDER_HOUR\", \"18\"))\n")]),
    ("Document database migrations", "How to write and apply migrations.",
     [FileEdit("README.md", "",
               "\n## Migrations\n\nPlain SQL files in `migrations/`, applied in order by `make migrate`. Use "
               "`CREATE INDEX CONCURRENTLY` on large tables and never edit a migration that has been deployed.\n")]),
    ("Add tests for deposit edge cases", "Covers VND deposits and the minimum in yen.",
     [FileEdit("tests/test_deposit.py", None,
               "from app.services.pricing import deposit_amount\n\n\n"
               "def test_minimum_applies_only_to_yen():\n    assert deposit_amount(100_000, \"VND\") == 20_000\n\n\n"
               "def test_large_party():\n    assert deposit_amount(250_000) == 50_000\n")]),
]

WEB_HELPERS = [
    ("Format dates with date-fns", "Per the decision in #dev-frontend: date-fns instead of moment.js.",
     [FileEdit("package.json", "  \"dependencies\": {\n", "  \"dependencies\": {\n    \"date-fns\": \"4.1.0\",\n"),
      FileEdit("src/utils/date.ts", None,
               "import { format, parseISO } from 'date-fns';\nimport { ja, vi, enUS } from 'date-fns/locale';\n\n"
               "const LOCALES = { ja, vi, en: enUS };\n\n"
               "export function formatDay(iso: string, locale: keyof typeof LOCALES): string {\n"
               "  return format(parseISO(iso), 'PPP', { locale: LOCALES[locale] });\n}\n")]),
    ("Add useDebounce hook for the search box", "Avoid one request per keystroke in restaurant search.",
     [FileEdit("src/hooks/useDebounce.ts", None,
               "import { useEffect, useState } from 'react';\n\n"
               "export function useDebounce<T>(value: T, delayMs = 300): T {\n"
               "  const [debounced, setDebounced] = useState(value);\n  useEffect(() => {\n"
               "    const timer = setTimeout(() => setDebounced(value), delayMs);\n"
               "    return () => clearTimeout(timer);\n  }, [value, delayMs]);\n  return debounced;\n}\n")]),
    ("Add EmptyState component", "Shared empty state for lists (design from Yamamoto-san).",
     [FileEdit("src/components/EmptyState.tsx", None,
               "interface Props {\n  title: string;\n  hint?: string;\n}\n\n"
               "export function EmptyState({ title, hint }: Props) {\n  return (\n    <div className=\"empty-state\">\n"
               "      <p>{title}</p>\n      {hint && <small>{hint}</small>}\n    </div>\n  );\n}\n")]),
    ("Add restaurant search API client", "Typed client for GET /restaurants.",
     [FileEdit("src/api/restaurants.ts", None,
               "import { request } from './client';\n\nexport interface Restaurant {\n  id: number;\n  name: string;\n"
               "  area: string;\n  cuisine: string;\n}\n\n"
               "export function searchRestaurants(q: string, area?: string): Promise<Restaurant[]> {\n"
               "  const params = new URLSearchParams({ q, ...(area ? { area } : {}) });\n"
               "  return request(`/restaurants?${params}`);\n}\n")]),
    ("Validate e-mail addresses in the sign-up form", "Simple shape check; the API does the real validation.",
     [FileEdit("src/utils/validation.ts", "",
               "\nexport function isValidEmail(input: string): boolean {\n"
               "  return /^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$/.test(input.trim());\n}\n")]),
    ("Document supported browsers", "Safari 14 is no longer supported from v2.4.",
     [FileEdit("README.md", "",
               "\n## Supported browsers\n\nLatest two versions of Chrome, Edge, Firefox and Safari (Safari 15+). "
               "Safari 14 support ended with v2.4.\n")]),
]

AUTHORS = {"api": ["an", "ha", "sato", "bao"], "web": ["duc", "suzuki"]}
REVIEWERS = {"api": ["sato", "an", "ha"], "web": ["suzuki", "duc"]}
REVIEW_NOTES = [
    ("LGTM 👍", "en"), ("LGTM、マージします。", "ja"), ("Ok, approve nhé.", "vi"),
    ("テストも追加してもらえますか？", "ja"), ("Could you add a short comment on why?", "en"),
    ("Nhìn ổn rồi, chỉ cần sửa tên biến cho rõ hơn.", "vi"), ("細かいですが、命名を揃えたほうが良さそうです。", "ja"),
]


def write_filler_mrs(w: Writer, rng: random.Random) -> None:
    tl = w.tl
    specs: list[tuple[str, str, str, object, str]] = []      # project, title, description, edits, kind
    for i in range(0, len(I18N), 3):
        keys = I18N[i:i + 3]
        specs.append(("web", f"i18n: add {', '.join(k[0] for k in keys)}",
                      "Adds the strings in English, Japanese and Vietnamese (translations checked by Hương).",
                      _add_i18n(keys), "i18n"))
    for project, title, repl in BUMPS:
        specs.append((project, title, "Routine dependency update; CI is green.",
                      [FileEdit(p, o, n) for p, o, n in repl], "deps"))
    specs += [("api", t, d, e, "feature") for t, d, e in API_HELPERS]
    specs += [("web", t, d, e, "feature") for t, d, e in WEB_HELPERS]

    days = tl.workdays()
    for n, (project, title, description, edits, kind) in enumerate(specs):
        day = days[(n * 7 + 1) % (len(days) - 1)]
        author = "bao" if kind == "deps" else rng.choice(AUTHORS[project])
        reviewer = rng.choice([r for r in REVIEWERS[project] if r != author])
        created = w.at(day, f"{rng.randint(9, 15):02d}:{rng.randint(0, 59):02d}", author)
        state = "opened" if day >= days[-2] else ("closed" if n % 11 == 5 else "merged")
        review = rng.choice(REVIEW_NOTES)[0]
        notes = [Note(reviewer, created + _hours(rng.randint(1, 4)), review)]
        answer = {"ja": "ありがとうございます！", "vi": "Cảm ơn anh/chị!", "en": "Thanks!"} if "LGTM" in review or "approve" in review \
            else {"ja": "修正しました。再確認お願いします。", "vi": "Em sửa rồi ạ, anh/chị xem lại giúp em.",
                  "en": "Done, please take another look."}
        notes.append(Note(author, created + _hours(5), answer[person(author).lang]))
        mr = MergeRequest(slug=f"filler_{project}_{n}", project=project, title=title, description=description,
                          author=author, created=created, state=state, edits=edits,  # type: ignore[arg-type]
                          source_branch=f"{'chore' if kind == 'deps' else 'feature'}/{_branch(title)}",
                          reviewers=[reviewer], labels=[kind], notes=notes,
                          commit_messages=[title] + (["Address review comments"] if n % 3 == 0 else []))
        if state == "merged":
            mr.merged_at, mr.merged_by = created + _hours(rng.randint(5, 20)), reviewer
        elif state == "closed":
            mr.closed_at = created + _hours(30)
            mr.notes.append(Note(author, created + _hours(29), "Closing: superseded by a later MR."))
        w.mr(mr)


def _hours(n: int):
    import datetime as dt
    return dt.timedelta(hours=n)


def _branch(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words[:5])


GITLAB_ISSUES = [
    ("api", "Upgrade production to PostgreSQL 16", "Staging is on 16 since the migration; plan production.", ["infra"]),
    ("api", "Flaky test: test_reserve_concurrently", "Fails ~1/20 on CI because of timing. Cần dùng barrier thay vì sleep.", ["test"]),
    ("api", "Structured JSON logs with request id", "構造化ログにして request_id を全行に出したい。", ["tech-debt"]),
    ("api", "Remove unused /v1 endpoints", "v1 clients are gone since September.", ["tech-debt"]),
    ("api", "Document the reservation state machine", "confirmed → cancelled / no_show / completed.", ["docs"]),
    ("web", "Replace moment-style date formatting with date-fns", "Decision in #dev-frontend. Từng bước, bắt đầu từ ReservationList.", ["tech-debt"]),
    ("web", "Lighthouse: LCP 3.9 s on mobile", "メニュー画像が未圧縮。WebP に変換して lazy load を入れる。", ["performance"]),
    ("web", "Storybook for shared components", "EmptyState, ReservationForm, ReminderToggle.", ["dx"]),
    ("web", "Keyboard focus is invisible on buttons", "アクセシビリティ: focus-visible のスタイルがない。", ["a11y", "bug"]),
    ("web", "Vietnamese plural forms in i18n", "“{n} người” works, but check other strings.", ["i18n"]),
]


def write_gitlab_issues(w: Writer, rng: random.Random) -> None:
    days = w.tl.workdays()
    for n, (project, title, body, labels) in enumerate(GITLAB_ISSUES):
        author = rng.choice(AUTHORS[project])
        created = w.at(days[(n * 3) % len(days)], f"{rng.randint(9, 16):02d}:{rng.randint(0, 59):02d}", author)
        issue = GitLabIssue(slug=f"gl_{project}_{n}", project=project, title=title, description=body, author=author,
                            created=created, labels=labels, assignee=rng.choice(AUTHORS[project]))
        commenter = rng.choice([a for a in AUTHORS[project] if a != author])
        issue.notes.append(Comment(commenter, created + _hours(rng.randint(2, 30)),
                                   rng.choice(["+1, mình cũng gặp.", "来週対応します。", "I can pick this up next sprint."])))
        if n % 4 == 1:
            issue.closed_at = created + _hours(48)
        w.ws.gitlab_issues.append(issue)
