"""bench.ask's correctness check: a planted date counts in the forms the demo team writes it."""
import pytest

from bench.ask import states


@pytest.mark.parametrize("answer", ["It moved to 2026-11-27 [1].", "11月27日(金) に延期します [1]",
                                    "dời sang thứ Sáu 27/11 [1]", "on Nov 27 [1]", "on November 27, 2026",
                                    "27 Nov", "moved to 11/27"])
def test_a_date_in_any_written_form_matches(answer):
    assert states(answer, "2026-11-27")


@pytest.mark.parametrize("answer", ["11月17日", "127/11", "2026-11-24", "Nov 270", "1/27"])
def test_another_date_does_not(answer):
    assert not states(answer, "2026-11-27")


def test_plain_keywords_match_case_insensitively():
    assert states("Sato Yuki decided [1]", "sato") and not states("Suzuki [1]", "Sato")
