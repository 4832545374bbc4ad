"""Everyday Slack traffic: stand-ups, review requests, deploy notices and conversations from phrase pools."""
from __future__ import annotations

import datetime as dt
import random
import re

from demo.filler_backlog import AREAS
from demo.filler_text import BLOCKERS, ROLE_OF, SCRIPTS, STANDUP_ITEMS
from demo.model import SlackMessage, SlackThread
from demo.people import person
from demo.writer import Writer

SELECTORS = {
    "vn_be": ["an", "ha"], "jp_be": ["sato"], "be": ["sato", "an", "ha"], "ops": ["bao"], "fe": ["suzuki", "duc"],
    "jp_fe": ["suzuki"], "vn_fe": ["duc"], "brse": ["huong"], "qa": ["mai"], "pm": ["tanaka"], "design": ["yamamoto"],
    "dev": ["sato", "an", "ha", "suzuki", "duc"], "jp": ["tanaka", "sato", "suzuki", "yamamoto"],
    "vn": ["huong", "an", "ha", "duc", "mai", "bao"],
    "any": ["tanaka", "sato", "suzuki", "yamamoto", "huong", "an", "ha", "duc", "mai", "bao"],
}
EMOJI = ["+1", "eyes", "pray", "white_check_mark", "joy", "tada", "ok_hand", "bow", "heart", "muscle"]
SCRIPTS_PER_DAY = 30


def _utc_minute(day: dt.date, minute: int) -> dt.datetime:
    """Working hours overlap: 00:30–10:30 UTC is 07:30–17:30 in Hà Nội and 09:30–19:30 in Tokyo."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(minutes=30 + minute)


def write_filler_slack(w: Writer, rng: random.Random) -> None:
    tl, ws = w.tl, w.ws
    backlog_slugs = [i.slug for i in ws.issues if i.slug.startswith("filler_BOOK")]
    merged = [m for m in ws.merge_requests if m.state == "merged"]
    threads: list[SlackThread] = []

    for day_no, day in enumerate(tl.workdays()):
        # Stand-ups, each in the writer's language (some Vietnamese members write English).
        for key, role in ROLE_OF.items():
            lang = person(key).lang if rng.random() > 0.25 else "en"
            items = STANDUP_ITEMS[role]
            y, t = rng.sample(items, 2)
            idx = {"vi": 0, "ja": 1, "en": 2}[lang]
            blocker = rng.choice(BLOCKERS[lang])
            text = {"vi": f"Hôm qua: {y[0]}.\nHôm nay: {t[0]}.\nVướng mắc: {blocker}.",
                    "ja": f"昨日: {y[1]}\n今日: {t[1]}\n困っていること: {blocker}",
                    "en": f"Yesterday: {y[2]}\nToday: {t[2]}\nBlockers: {blocker}"}[lang]
            at = w.at(day, f"{9 if person(key).lang == 'ja' else 8}:{rng.randint(0, 40):02d}", key)
            msgs = [SlackMessage(key, at, text)]
            if idx < 2 and "review" not in text and rng.random() < 0.2:
                helper = rng.choice([k for k in ("sato", "an", "huong", "suzuki") if k != key])
                reply = {"vi": "Cần hỗ trợ gì thì ping mình nhé.", "ja": "何かあれば声をかけてください。",
                         "en": "Ping me if you need a hand."}[person(helper).lang]
                msgs.append(SlackMessage(helper, at + dt.timedelta(minutes=rng.randint(5, 40)), reply))
            threads.append(SlackThread(f"standup_{day_no}_{key}", "daily-standup", msgs))

        # Conversations from the script pool.
        for k in range(SCRIPTS_PER_DAY):
            channel, as_thread, lines = SCRIPTS[(day_no * SCRIPTS_PER_DAY + k * 7 + rng.randrange(3)) % len(SCRIPTS)]
            start = _utc_minute(day, rng.randrange(0, 560))
            area = AREAS[rng.randrange(len(AREAS))]
            slots = {"area_ja": area[0], "area_vi": area[1], "area_en": area[2], "n": str(rng.randint(20, 60)),
                     "issue": f"⟦issue:{rng.choice(backlog_slugs)}⟧",
                     "mr": f"⟦mr:{rng.choice(merged).slug}⟧" if merged else "!1",
                     "@x": f"⟦@{rng.choice(SELECTORS['dev'])}⟧"}
            speakers: list[str] = []
            msgs = []
            at = start
            for selector, alternatives in lines:
                if selector in ("A", "B"):
                    who = speakers[0 if selector == "A" else 1]
                else:
                    pool = [p for p in SELECTORS[selector] if not speakers or p != speakers[-1]] or SELECTORS[selector]
                    who = rng.choice(pool)
                speakers.append(who)
                text = re.sub(r"\{(@x|[a-z_]+)\}", lambda m: slots[m.group(1)],  # noqa: B023 - called at once
                              rng.choice(alternatives))
                msgs.append(SlackMessage(who, at, text))
                at += dt.timedelta(minutes=rng.randint(2, 45), seconds=rng.randint(0, 59))
            if as_thread:
                threads.append(SlackThread(f"chat_{day_no}_{k}", channel, msgs))
            else:
                threads += [SlackThread(f"chat_{day_no}_{k}_{i}", channel, [m]) for i, m in enumerate(msgs)]

    # A review request for every merge request, in the project's channel.
    for mr in ws.merge_requests:
        channel = "dev-backend" if mr.project == "api" else "dev-frontend"
        author, reviewer = mr.author, (mr.reviewers or ["sato"])[0]
        lang = person(author).lang
        ask = {"vi": f"⟦@{reviewer}⟧ nhờ anh/chị review giúp em MR này ạ 🙏 ⟦mr_url:{mr.slug}⟧",
               "ja": f"⟦@{reviewer}⟧ レビューお願いします🙏 ⟦mr_url:{mr.slug}⟧",
               "en": f"⟦@{reviewer}⟧ could you review ⟦mr_url:{mr.slug}⟧ when you have a moment?"}[lang]
        at = mr.created + dt.timedelta(minutes=3)
        msgs = [SlackMessage(author, at, ask)]
        ack = {"vi": "Ok để mình xem.", "ja": "見ます！", "en": "On it."}[person(reviewer).lang]
        msgs.append(SlackMessage(reviewer, at + dt.timedelta(minutes=rng.randint(5, 50)), ack))
        if mr.merged_at:
            done = {"vi": "Approve và merge rồi nhé ✅", "ja": "承認してマージしました ✅",
                    "en": "Approved and merged ✅"}[person(reviewer).lang]
            msgs.append(SlackMessage(reviewer, max(mr.merged_at, msgs[-1].at + dt.timedelta(minutes=1)), done))
        threads.append(SlackThread(f"review_{mr.slug}", channel, msgs))

    # Deploy notices: one per day with merges.
    by_day: dict[dt.date, list[str]] = {}
    for mr in merged:
        by_day.setdefault(mr.merged_at.date(), []).append(mr.slug)
    for n, (day, slugs) in enumerate(sorted(by_day.items())):
        refs = ", ".join(f"⟦mr:{s}⟧" for s in slugs)
        text = rng.choice([f"Deployed to staging: {refs}", f"Đã deploy lên staging: {refs}"])
        threads.append(SlackThread(f"deploy_{n}", "release",
                                   [SlackMessage("bao", _utc_minute(day, 600 + rng.randrange(20)), text)]))

    _decorate(threads, rng)
    ws.threads += threads


def _decorate(threads: list[SlackThread], rng: random.Random) -> None:
    """Reactions, edits (a typo fixed) and deletions, as real channels have."""
    everyone = SELECTORS["any"]
    for thread in threads:
        for i, msg in enumerate(thread.messages):
            r = rng.random()
            if r < 0.22:
                msg.reactions.append((rng.choice(EMOJI), rng.sample(everyone, rng.randint(1, 3))))
            r = rng.random()
            if r < 0.04 and len(msg.text) > 20 and "⟦" not in msg.text:
                msg.edited_text = msg.text
                cut = rng.randrange(5, len(msg.text) - 5)
                msg.text = msg.text[:cut] + msg.text[cut + 1:]        # the original had a typo
                msg.edited_at = msg.at + dt.timedelta(minutes=rng.randint(1, 10))
            elif r < 0.06 and not (i == 0 and len(thread.messages) == 1 and thread.channel == "release"):
                msg.deleted_at = msg.at + dt.timedelta(minutes=rng.randint(1, 30))
