"""Language detection: Japanese by kana/kanji, Vietnamese by its diacritics, English otherwise; mixed
text goes to the language with the most words."""
from __future__ import annotations

import unicodedata

import pytest

from teamlens.language import detect_language, word_weight


@pytest.mark.parametrize("text", [
    "本日のリリースは 18:00 に延期します。理由は決済APIの障害です。",
    "確認しました。クローズします。",
    "メニュー表示のAPIでN+1クエリが発生しています。joinedload か一括取得にしましょう。",
    "`fetch_availability` の N+1 を修正",          # code spans do not vote
    "見ます！",
    "承認",                                          # kanji only
])
def test_japanese(text: str):
    assert detect_language(text) == "ja"


@pytest.mark.parametrize("text", [
    "Trưa nay team mình ăn bún chả nhé?",
    "CI lại đỏ vì test flaky, có ai đang xem không?",   # English loan words inside a Vietnamese sentence
    "Regression test hôm nay: 48/48 case pass ✅",
    "Đã test lại trên staging với 50 request song song, không còn đặt trùng.",
    "Ok đã chạy lại rồi, cảm ơn anh.",
])
def test_vietnamese(text: str):
    assert detect_language(text) == "vi"


@pytest.mark.parametrize("text", [
    "Merged booking-web!6. Please rebase your branches.",
    "Could you add a test with two concurrent requests?",
    "Thanks 田中さん for the quick review of the release notes",    # a Japanese name in an English sentence
    "Nguyễn will present the release plan for next week to the whole team",  # a Vietnamese name
    "We had a great café meeting about the new onboarding flow",
    "see https://kumo.backlog.example/view/BOOK-41?lang=ja&q=予約 for details",  # URLs do not vote
])
def test_english(text: str):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["", "   ", "👍", "42", "+1 :tada:"])
def test_no_words_defaults_to_english(text: str):
    assert detect_language(text) == "en"


def test_decomposed_vietnamese_is_recognised():
    nfd = unicodedata.normalize("NFD", "Mình vừa tái hiện được lỗi đặt trùng bàn")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert detect_language(nfd) == "vi"


def test_mixed_text_goes_to_the_dominant_language():
    ja_heavy = ("予約処理の競合状態が原因のようです。対応方針を相談させてください。"
                "Mô tả: lỗi đặt trùng.")
    vi_heavy = ("Anh Sato quyết định dùng row lock của PostgreSQL và exclusion constraint, không dùng Redis lock. "
                "Em nhận task này nhé? / 了解です。")
    assert detect_language(ja_heavy) == "ja"
    assert detect_language(vi_heavy) == "vi"


def test_word_weight_counts_words_and_kanji():
    assert word_weight("") == 0
    assert word_weight("one two three") == 3
    assert word_weight("確認しました") == pytest.approx(6 / 1.5)
    assert word_weight("see `code_span_here` and https://x.example/a-b-c") == 2  # "see", "and"
