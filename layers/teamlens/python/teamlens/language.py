"""Which of the team's languages (English, Japanese, Vietnamese) a text is mostly in: a cheap pure
function, no model. Japanese by its kana and kanji, Vietnamese by its diacritics, English otherwise.
Code spans and URLs do not vote, so a Japanese sentence about `fetch_availability` stays Japanese."""
from __future__ import annotations

import re
import unicodedata
from typing import Literal

Language = Literal["en", "ja", "vi"]

# kana (with half-width katakana) and kanji
_JA_CHAR = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_LATIN_WORD = re.compile(r"[^\W\d_\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# Letters that Vietnamese writes and English does not (NFC): the vowels with breve, circumflex, horn and
# the five tone marks, and đ.
_VI_LETTERS = frozenset(
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
)
_NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|https?://\S+|<[^>\s]+>", re.DOTALL)

JA_CHARS_PER_WORD = 1.5  # kana/kanji per word-equivalent, to weigh Japanese against Latin words
VI_MIN_SHARE = 0.15      # share of Latin words with Vietnamese letters that makes the Latin part Vietnamese


def _votes(prose: str) -> tuple[float, int, int]:
    """(Japanese word-equivalents, Latin words with Vietnamese letters, Latin words) of prose text."""
    prose = unicodedata.normalize("NFC", _NOT_PROSE.sub(" ", prose))
    latin = _LATIN_WORD.findall(prose)
    vi = sum(1 for w in latin if any(c in _VI_LETTERS for c in w.lower()))
    return len(_JA_CHAR.findall(prose)) / JA_CHARS_PER_WORD, vi, len(latin)


def word_weight(text: str) -> float:
    """About how many words `text` has (kana/kanji counted as a word per 1.5 characters): how much a
    text should weigh when several vote on the language of the whole."""
    ja_words, _, latin = _votes(text)
    return ja_words + latin


def detect_language(text: str) -> Language:
    """'ja', 'vi' or 'en' (the default, also for text without letters). Mixed text gets the language
    with the most words: kana/kanji count as a word per 1.5 characters; the Latin words are Vietnamese
    when at least 15% of them carry Vietnamese letters (a Vietnamese sentence keeps English loan
    words; an English one with a Vietnamese name stays English)."""
    ja_words, vi, latin = _votes(text)
    if ja_words and ja_words >= latin:
        return "ja"
    if not latin:
        return "en"
    return "vi" if vi >= VI_MIN_SHARE * latin else "en"
