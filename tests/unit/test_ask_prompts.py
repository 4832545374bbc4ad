"""Prompt building and citation handling for grounded answers (pure)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from teamlens.ask import citations as cite
from teamlens.ask.prompts import NOT_FOUND, SYSTEM, Source, answer_messages, pack_sources
from teamlens.language import detect_language
from teamlens.text_budget import count_tokens


@dataclass
class Passage:
    text: str
    title: str = "t"
    url: str = "https://example.test/x"
    source: str = "slack"
    metadata: dict = field(default_factory=dict)


def sources(*texts: str) -> list[Source]:
    return [Source(n=i + 1, passage=Passage(t, title=f"doc {i + 1}", url=f"https://example.test/{i + 1}"), text=t)
            for i, t in enumerate(texts)]


def test_pack_sources_fits_the_budget_and_shares_it():
    long = "word " * 2000
    packed = pack_sources([Passage(long), Passage("short one"), Passage(long)], budget_tokens=400)
    assert [s.n for s in packed] == [1, 2, 3]
    total = sum(count_tokens(s.text) for s in packed)
    assert total <= 400
    # the long first passage did not eat the budget of the third
    assert count_tokens(packed[2].text) > 80


def test_pack_sources_stops_when_a_share_gets_too_small():
    packed = pack_sources([Passage("x " * 500)] * 5, budget_tokens=150, max_sources=5)
    assert 1 <= len(packed) < 5


@pytest.mark.parametrize("lang", ["en", "ja", "vi"])
def test_answer_messages_language_and_order(lang):
    msgs = answer_messages("What changed?", sources("alpha", "beta"), lang, history=[("Q1", "A1 [1]")])
    assert msgs[0] == ("system", SYSTEM[lang])
    user = msgs[1][1]
    # history, then the question, the sources, and the question again right before the answer format
    assert user.index("Q1") < user.index("What changed?") < user.index("[1] doc 1") < user.index("[2] doc 2")
    assert user.rindex("What changed?") > user.index("[2] doc 2")


def test_source_header_carries_channel_and_date():
    p = Passage("x", title="Release thread", metadata={"channel": "release", "span_end_ts": 1793840400, "author": "tanaka"})
    user = answer_messages("q", [Source(1, p, "x")], "en")[1][1]
    assert "[1] Release thread (slack, #release, 2026-11-05, tanaka)" in user


def test_markers_normalized_and_invented_numbers_dropped():
    text = cite.normalize_markers("Moved to 2026-11-27 【1、7】 and cached [2, 2] ［3］.", {1, 2})
    assert text == "Moved to 2026-11-27 [1] and cached [2] ."
    assert cite.cited_numbers(text) == [1, 2]


def test_uncited_sentences_attributed_by_overlap():
    srcs = sources("Release v2.4 moved to 2026-11-27 by Tanaka", "Redis cache for room availability")
    out = cite.attribute_uncited("The release moved to 2026-11-27. Tanaka decided it. We use Redis for availability.",
                                 srcs)
    assert out == "The release moved to 2026-11-27 [1]. Tanaka decided it [1]. We use Redis for availability [2]."


def test_japanese_sentences_attributed_without_spaces():
    srcs = sources("v2.4のリリースは2026-11-27に延期", "キャッシュの話")
    out = cite.attribute_uncited("v2.4のリリースは2026-11-27です。", srcs)
    assert out == "v2.4のリリースは2026-11-27です [1]。"


def test_sentence_without_overlap_stays_uncited():
    assert cite.attribute_uncited("Hello there.", sources("Release moved")) == "Hello there."


def test_citations_only_for_cited_sources_in_number_order():
    srcs = sources("a text", "b text", "c text")
    cits = cite.citations("x [3] y [1]", srcs)
    assert [(c.n, c.url) for c in cits] == [(1, "https://example.test/1"), (3, "https://example.test/3")]


@pytest.mark.parametrize("answer", list(NOT_FOUND.values()) + ["I could not find this in the team's data"])
def test_not_found_recognized(answer):
    assert cite.is_not_found(answer)


def test_real_answer_is_not_not_found():
    assert not cite.is_not_found("The release moved to 2026-11-27 [1].")


def test_snippet_is_bounded():
    assert len(cite.snippet("word " * 500)) <= cite.SNIPPET_CHARS


def test_looping_markers_collapse_and_marker_only_answers_are_empty():
    assert cite.normalize_markers("[1] [1] [1] [1]", {1}) == "[1]"
    assert cite.without_markers("[1] [2].") == ""
    assert cite.without_markers("Safari 14 [1].") == "Safari 14"


def test_evidence_sentences_split_messages_and_sentences():
    from teamlens.ask.evidence import sentences

    text = ("Tanaka (01:00): The release moves to 11/27. QA needs time.\n"
            "佐藤: 了解です。v2.4 は 11/27 にします。ok\n- short\nv2.4 is fine")
    # too-short pieces ("佐藤: 了解です。", "ok", "short") carry no fact
    assert sentences(text) == ["Tanaka: The release moves to 11/27.", "QA needs time.",
                               "v2.4 は 11/27 にします。", "v2.4 is fine"]


def test_evidence_sentences_lose_headers_and_clock_times_but_keep_references():
    from teamlens.ask.evidence import sentences

    thread = ("[slack #qa-bugs] thread by Trần Thị Mai on 2026-11-02:… Mình vừa tái hiện được lỗi\n"
              "Trần Thị Mai (03:05): Mình vừa tái hiện được lỗi đặt trùng bàn trên staging.")
    assert sentences(thread) == ["Trần Thị Mai: Mình vừa tái hiện được lỗi đặt trùng bàn trên staging."]
    assert sentences("[slack #general] messages on 2026-11-12\nBao (06:35): Payment webhooks are failing") == [
        "Bao: Payment webhooks are failing"]
    assert sentences("[gitlab kumo/booking-api!6] Fix double booking: lock candidate tables") == [
        "kumo/booking-api!6: Fix double booking: lock candidate tables"]
    assert sentences("[backlog BOOK-28] 【予約】同じテーブルに二重予約ができてしまう") == [
        "BOOK-28: 【予約】同じテーブルに二重予約ができてしまう"]


def test_evidence_prompt_has_numbered_facts_without_titles():
    from teamlens.ask.evidence import Evidence
    from teamlens.ask.prompts import evidence_messages

    msgs = evidence_messages("When?", [Evidence(2, "It moved to 11/27.", 0.9)], "en")
    assert "[2] It moved to 11/27." in msgs[1][1] and msgs[1][1].count("When?") == 2


@pytest.mark.parametrize("lang", ["en", "ja", "vi"])
def test_evidence_prompt_can_start_the_answer_in_the_question_language(lang):
    from teamlens.ask.evidence import Evidence
    from teamlens.ask.prompts import ANSWER_LEAD, evidence_messages

    facts = [Evidence(1, "It moved to 11/27.", 0.9)]
    assert evidence_messages("q", facts, lang, answer_start=ANSWER_LEAD[lang])[-1] == ("assistant", ANSWER_LEAD[lang])
    assert evidence_messages("q", facts, lang)[-1][0] == "user"
    assert detect_language(ANSWER_LEAD[lang]) == lang


def test_an_answer_states_no_number_the_facts_lack():
    facts = ["ステージングDBを PostgreSQL 16 に移行しました（ダウンタイム12分）。", "Migrated this morning (from 14)."]
    q = "ステージングDBがPostgreSQL 16に移行されたのはいつですか？"
    assert cite.numbers_grounded("PostgreSQL 16 への移行でダウンタイムは12分でした [1]。", [q, *facts])
    assert not cite.numbers_grounded("2023年10月25日 [1]", [q, *facts])
    assert cite.numbers_grounded("It was migrated [1][2].", [q, *facts])  # marker numbers are not claims


def test_an_answer_must_say_more_than_the_question():
    facts = ["Thông báo: release v2.4 dời sang thứ Sáu 27/11 (anh Tanaka quyết định).", "Due: 2026-11-27"]
    q = "When was the v2.4 release moved to, and who decided it?"
    assert not cite.says_more("v2.4 was moved to [1] on [2] by [3]", q, facts)
    assert cite.says_more("Tanaka moved it to 27/11 [1].", q, facts)
    assert cite.says_more("11月24日(火) [1]", "コードフリーズはいつですか？", ["コードフリーズは 11月24日(火) です。"])
    assert not cite.says_more("[1]", q, facts)
    # A one-digit count is the answer itself, even next to words the question has
    assert cite.says_more("[1] 3卓まで", "大人数予約では何卓まで結合できますか？", ["テーブルの結合は最大3卓まで、合計20名までとします。"])
    assert not cite.says_more("[1] 5卓まで", "大人数予約では何卓まで結合できますか？", ["テーブルの結合は最大3卓まで。"])


def test_evidence_prompt_starts_the_same_in_every_language():
    """The model host reuses the prompt prefix of its last request: a question in another language than the
    one before must not pay for the system prompt again. The language is asked for at the end instead."""
    from teamlens.ask.evidence import Evidence
    from teamlens.ask.prompts import ANSWER_FORMAT, evidence_messages

    facts = [Evidence(1, "It moved to 11/27.", 0.9)]
    by_lang = {lang: evidence_messages("q", facts, lang) for lang in ("en", "ja", "vi")}
    assert len({msgs[0] for msgs in by_lang.values()}) == 1
    for lang, msgs in by_lang.items():
        assert msgs[1][1].endswith(ANSWER_FORMAT[lang])


def test_a_translated_fact_must_keep_its_numbers():
    moved = "Thông báo: release v2.4 dời từ thứ Sáu 13/11 sang thứ Sáu 27/11 [1]"
    q = "What is the new v2.4 release date?"
    assert cite.numbers_kept("v2.4 moved from Friday 13/11 to Friday 27/11 [1].", moved, [q])
    assert not cite.numbers_kept("The new v2.4 release date is [11/13/2026] [1].", moved, [q])  # 27 lost, 2026 added
    assert not cite.numbers_kept("It moved to 27/11 [1].", moved, [q])  # 13 lost: from when is part of the fact
    demo = "Demo v2.4: thứ Năm 26/11, 14:00 giờ Nhật [1]"
    assert not cite.numbers_kept("The v2.4 demo is on 26/11/2021 at 14:00 [1].", demo, ["When is the demo?"])
    assert cite.numbers_kept("最大３卓、合計２０名まで [1]。", "Up to 3 tables, 20 people.", [])  # full-width digits
    assert cite.numbers_kept("Tanaka decided it [1].", "Tanaka quyết định", [])


def test_leading_markers_move_after_the_claim():
    text = cite.normalize_markers("[1] Tanaka moved it to 11/27.\n[2]. Safari 14\n[3] done [3]", {1, 2, 3})
    assert text == "Tanaka moved it to 11/27 [1].\nSafari 14 [2]\ndone [3]"


def test_evidence_sentences_do_not_split_at_an_ellipsis():
    from teamlens.ask.evidence import sentences

    assert sentences("Use `SELECT ... FOR UPDATE` on the tables. Then add the constraint.") == [
        "Use `SELECT ... FOR UPDATE` on the tables.", "Then add the constraint."]


def test_answer_type_bonus_rewards_what_the_question_asks_for():
    from teamlens.ask.evidence import ANSWER_TYPE_WEIGHT, answer_type_bonus

    assert answer_type_bonus("When was the release moved?", "It moves to 11月27日.") == ANSWER_TYPE_WEIGHT
    assert answer_type_bonus("Release v2.4 được dời sang ngày nào?", "dời sang thứ Sáu 27/11") == ANSWER_TYPE_WEIGHT
    assert answer_type_bonus("Which MR introduced the regression?", "caused by booking-api!9") == ANSWER_TYPE_WEIGHT
    assert answer_type_bonus("各ページの最後の1件が消える課題は？", "BOOK-61: 最後の1件が表示されない") == ANSWER_TYPE_WEIGHT
    assert answer_type_bonus("Which MR introduced the regression?", "BOOK-61 tracks it") == 0
    assert answer_type_bonus("Who decided?", "on 2026-11-05") == 0
    assert answer_type_bonus("Who reviewed the fix?", "Author: An · Reviewers: Sato Yuki") == ANSWER_TYPE_WEIGHT
    assert answer_type_bonus("誰が決めましたか？", "田中さんが決めました。") == ANSWER_TYPE_WEIGHT
    assert answer_type_bonus("Ai quyết định?", "Anh Sato quyết định dùng row lock.") == ANSWER_TYPE_WEIGHT
    assert answer_type_bonus("Is AI search ready?", "Reviewers: Sato Yuki") == 0  # "AI" is not Vietnamese "ai"


class _Vectors:
    """An embedder over fixed vectors: the ranking logic is what is under test here, not the model."""
    def __init__(self, table):
        self.table = table

    def embed(self, texts, kind="query"):
        import numpy as np
        return [list(np.asarray(self.table[t], dtype=float) / np.linalg.norm(self.table[t])) for t in texts]


def test_evidence_select_skips_repeats_and_puts_the_best_first(monkeypatch):
    from types import SimpleNamespace

    from teamlens.ask import evidence
    from teamlens.ask.evidence import select
    from teamlens.ask.prompts import Source

    q = "When was the release moved?"
    title, again, answer, other = ("BOOK-24: release v2.4", "release v2.4 (BOOK-24)",
                                   "Tanaka: The release moves to 11/27.", "Mai: the test plan is ready.")
    table = {q: [1, 0, 0], title: [0.9, 0.35, 0], again: [0.9, 0.36, 0], answer: [0.9, 0, 0.4], other: [0.2, 1, 0]}
    sources = [Source(1, SimpleNamespace(text=f"{title}\n{again}"), ""),
               Source(2, SimpleNamespace(text=f"{answer}\n{other}"), "")]
    picked = select(q, sources, _Vectors(table), top=3)
    # the date in the answer outweighs the title's closer wording; the title's twin is skipped
    assert [e.text for e in picked] == [answer, title, other]
    assert [e.n for e in picked] == [2, 1, 2]
    monkeypatch.setattr(evidence, "ANSWER_TYPE_WEIGHT", 0.0)
    assert [e.text for e in select(q, sources, _Vectors(table), top=3)] == [title, answer, other]


def test_evidence_select_embeds_the_question_as_a_query_and_sentences_as_passages():
    """e5 is asymmetric: a title that restates the question is its near twin as a query, while as a passage the
    sentence that answers it is closer. The ranking must come from the passage vectors."""
    from types import SimpleNamespace

    from teamlens.ask.evidence import select
    from teamlens.ask.prompts import Source

    q = "Who reported the double booking bug?"
    title, answer = "Double booking bug", "Mai: I can book the same table twice on staging."
    as_query = {q: [1, 0, 0], title: [0.95, 0.3, 0], answer: [0.8, 0, 0.6]}
    as_passage = {title: [0.7, 0.7, 0], answer: [0.9, 0, 0.43]}
    calls = []

    class TwoKinds:
        def embed(self, texts, kind="query"):
            calls.append((kind, list(texts)))
            return _Vectors(as_query if kind == "query" else as_passage).embed(texts)

    picked = select(q, [Source(1, SimpleNamespace(text=f"{title}\n{answer}"), "")], TwoKinds(), top=2)
    assert [e.text for e in picked] == [answer, title]
    assert calls == [("query", [q]), ("passage", [title, answer])]


def test_fact_numbers_map_back_to_sources_and_citations_count_from_one():
    from types import SimpleNamespace

    from teamlens.ask.prompts import Source

    sources = [Source(n, SimpleNamespace(text=f"text {n}", title=f"doc {n}", url=f"u{n}", source="slack"), "")
               for n in (1, 2, 3)]
    answer = cite.renumber("Moved to 11/27 by Tanaka [1][2]. QA agreed [3].", {1: 3, 2: 3, 3: 1})
    assert answer == "Moved to 11/27 by Tanaka [3]. QA agreed [1]."
    answer, cited = cite.compact(answer, sources)
    assert answer == "Moved to 11/27 by Tanaka [1]. QA agreed [2]."
    assert [(c.n, c.url) for c in cite.citations(answer, cited)] == [(1, "u3"), (2, "u1")]


def test_evidence_select_prefers_the_questions_language_among_near_equals(monkeypatch):
    from types import SimpleNamespace

    from teamlens.ask import evidence
    from teamlens.ask.evidence import select
    from teamlens.ask.prompts import Source

    q = "Ngày phát hành mới là khi nào?"
    ja, vi = "v2.4 のリリースを 11月27日(金) に延期します。", "Release v2.4 dời sang thứ Sáu 27/11."
    table = {q: [1, 0, 0], ja: [0.9, 0.43, 0], vi: [0.89, 0, 0.455]}
    sources = [Source(1, SimpleNamespace(text=f"{ja}\n{vi}"), "")]
    assert [e.text for e in select(q, sources, _Vectors(table), top=2)] == [vi, ja]
    monkeypatch.setattr(evidence, "LANGUAGE_WEIGHT", 0.0)
    assert [e.text for e in select(q, sources, _Vectors(table), top=2)] == [ja, vi]


@pytest.mark.parametrize("answer,expected", [
    ("Hoàng Quốc Bảo: Staging DB has been migrated to PostgreSQL 16 (from 14) this morning [1].", "en"),
    ("Đỗ Thanh Hương: Thông báo: release v2.4 dời sang thứ Sáu 27/11 (anh Tanaka quyết định) [1].", "vi"),
    ("Tanaka Hiroshi: v2.4 のリリースを 11月27日(金) に延期します [1]。", "ja"),
    ("The release moved to Friday 27 November; Tanaka decided it [1][2].", "en"),
    ("Code freeze: thứ Ba 24/11 [1].", "vi"),
])
def test_answer_language_ignores_the_speaker_and_markers(answer, expected):
    assert cite.answer_language(answer) == expected



def test_a_rescorer_orders_the_first_ranking_again_and_gives_the_scores():
    """The index model re-ranks the sentences the fast embedder put first: its cosines (plus the bonuses)
    decide the order, and they are the scores the relevance floor reads."""
    from types import SimpleNamespace

    from teamlens.ask import evidence
    from teamlens.ask.prompts import Source

    q = "Who reviews the login MR?"
    restated, answer, other = ("login MR for review", "Reviewers: Sato Yuki", "the cafe serves pizza")
    fast = _Vectors({q: [1, 0, 0], restated: [0.95, 0.3, 0], answer: [0.6, 0.8, 0], other: [0.1, 0, 1]})
    index = _Vectors({q: [1, 0, 0], restated: [0.5, 0.86, 0], answer: [0.9, 0.43, 0], other: [0.0, 0, 1]})
    sources = [Source(1, SimpleNamespace(text=f"{restated}\n{answer}\n{other}"), "")]
    by_fast = evidence.select(q, sources, fast, top=2)
    assert by_fast[0].text == restated
    again = evidence.select(q, sources, fast, top=2, rescorer=index)
    assert [e.text for e in again] == [answer, restated]
    cosine = 0.9 / (0.9**2 + 0.43**2) ** 0.5  # the index model's, not the fast embedder's (0.6)
    assert cosine <= again[0].score <= cosine + 0.1
