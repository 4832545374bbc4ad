"""The fictional team: one record per person, with their ids in Slack, GitLab and Backlog."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    key: str                # short handle used by the story code
    name: str               # display name as written in Slack / Backlog
    slack_id: str
    gitlab_id: int
    username: str           # GitLab username, Slack handle, Backlog userId
    backlog_id: int
    role: str
    lang: str               # language the person writes in by default: ja | vi | en
    tz: str
    email: str

    @property
    def mention(self) -> str:
        return f"<@{self.slack_id}>"


def _p(key: str, name: str, slack_id: str, n: int, username: str, role: str, lang: str, tz: str) -> Person:
    return Person(key, name, slack_id, 100 + n, username, 20_000 + n, role, lang, tz,
                  f"{username}@kumo.example")


TOKYO, HANOI = "Asia/Tokyo", "Asia/Ho_Chi_Minh"

TEAM: tuple[Person, ...] = (
    _p("tanaka", "Tanaka Hiroshi", "U04KTANAKA", 1, "h.tanaka", "Product manager", "ja", TOKYO),
    _p("sato", "Sato Yuki", "U04KSATOYK", 2, "y.sato", "Tech lead (backend)", "ja", TOKYO),
    _p("suzuki", "Suzuki Kenta", "U04KSUZUKI", 3, "k.suzuki", "Frontend engineer", "ja", TOKYO),
    _p("yamamoto", "Yamamoto Aya", "U04KYAMAMO", 4, "a.yamamoto", "Product designer", "ja", TOKYO),
    _p("huong", "Đỗ Thanh Hương", "U04KHUONGD", 5, "huong.do", "Bridge SE (BrSE)", "vi", HANOI),
    _p("an", "Nguyễn Văn An", "U04KNGUYAN", 6, "an.nguyen", "Backend engineer", "vi", HANOI),
    _p("ha", "Phạm Thu Hà", "U04KPHAMHA", 7, "ha.pham", "Backend engineer", "vi", HANOI),
    _p("duc", "Lê Minh Đức", "U04KLEDUC1", 8, "duc.le", "Frontend engineer", "vi", HANOI),
    _p("mai", "Trần Thị Mai", "U04KTRANMA", 9, "mai.tran", "QA lead", "vi", HANOI),
    _p("bao", "Hoàng Quốc Bảo", "U04KHOANGB", 10, "bao.hoang", "DevOps engineer", "vi", HANOI),
)

BOT = Person("bot", "teamlens", "U04KTLBOT1", 199, "teamlens", 20_199, "Assistant bot", "en", TOKYO,
             "teamlens@kumo.example")

BY_KEY: dict[str, Person] = {p.key: p for p in (*TEAM, BOT)}
BACKEND = ("sato", "an", "ha")
FRONTEND = ("suzuki", "duc")
ENGINEERS = ("sato", "an", "ha", "suzuki", "duc", "bao")


def person(key: str) -> Person:
    return BY_KEY[key]
