"""The cheap token estimate and the lossless splitter that chunking and prompt packing share."""
from __future__ import annotations

import random

import pytest

from teamlens.text_budget import count_tokens, fits, split_text, truncate

JA = "同じ時間帯の最後の空きテーブルを2つのアカウントから同時に予約すると、両方とも予約確定になる。"
VI = "Hai người dùng đặt cùng bàn cuối cùng cùng lúc thì cả hai đều thành công. "
EN = "Two customers booked the last free table at the same time and both got a confirmation. "
CODE = 'async def reserve_table(restaurant_id: int, party_size: int) -> Reservation:\n    return await tx.fetchrow("SELECT 1")\n'


def test_counts_follow_the_documented_rules():
    assert count_tokens("") == 0
    assert count_tokens("   \n\t ") == 0
    assert count_tokens("予約") == 2                # one per CJK character
    assert count_tokens("テーブル、") == 5          # kana and CJK punctuation too
    assert count_tokens("table") == 2               # ceil(5 / 4)
    assert count_tokens("a an the") == 3            # at least one per word
    assert count_tokens("đặt") == 2                 # non-ASCII letters weigh 1/2: ceil((3 + 2) / 4)
    assert count_tokens("20261120") == 4            # digits: one per two
    assert count_tokens("a.b") == 3                 # punctuation: one each
    assert count_tokens("👍") == 2                  # astral characters: two


def test_conservative_for_cjk():
    """A CJK character never costs less than one token, so Japanese text is never under-counted by
    merging."""
    assert count_tokens(JA) >= len([c for c in JA if not c.isascii()])


def test_subadditive_so_summing_parts_never_overflows():
    rng = random.Random(7)
    corpus = JA + VI + EN + CODE + "👍 20261120 ０９０−１２３４"
    for _ in range(500):
        a, b = sorted(rng.sample(range(len(corpus)), 2))
        c = rng.randrange(a, b + 1)
        left, right = corpus[a:c], corpus[c:b]
        assert count_tokens(left + right) <= count_tokens(left) + count_tokens(right)


@pytest.mark.parametrize("text", [JA * 12, VI * 20, EN * 20, CODE * 15, (JA + VI + EN) * 6,
                                  "x" * 5000, "予" * 3000])
@pytest.mark.parametrize("budget", [16, 50, 200])
def test_split_is_lossless_and_within_budget(text: str, budget: int):
    pieces = split_text(text, budget)
    assert "".join(pieces) == text
    assert all(count_tokens(p) <= budget for p in pieces)
    assert all(pieces)


def test_split_prefers_line_and_sentence_boundaries():
    text = "".join(f"line {i}: {EN}\n" for i in range(20))
    pieces = split_text(text, 60)
    assert len(pieces) > 1
    assert all(p.endswith("\n") for p in pieces[:-1])  # cut after whole lines
    ja_pieces = split_text(JA * 10, 100)
    assert all(p.endswith("。") for p in ja_pieces[:-1])  # cut after Japanese sentences


def test_split_of_fitting_text_is_the_text_itself():
    assert split_text(EN, 1000) == [EN]
    assert split_text("", 10) == []
    with pytest.raises(ValueError):
        split_text(EN, 0)


def test_truncate():
    assert truncate(EN, 1000) == EN
    cut = truncate(EN * 10, 30)
    assert fits(cut, 30) and cut.endswith("…") and (EN * 10).startswith(cut[:-1])
