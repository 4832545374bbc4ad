"""The grounding check: what a question names specifically must appear in the retrieved passages."""
from __future__ import annotations

import pytest

from teamlens.ask.grounding import missing_terms, quoted, specific_terms


@pytest.mark.parametrize("question,terms", [
    ("When does v3.1 ship?", ["v3.1"]),
    ("Who reviewed ORDERS-17 and !42?", ["orders-17", "!42"]),
    ("Did we pick Stripe or Adyen?", ["stripe", "adyen"]),
    ("What is the p99 of the search API?", ["p99"]),  # "API": generic
    ("What did the team decide on Friday in Slack?", []),  # calendar and source words
    ("How many bookings in October?", []),  # plain numbers and months are not checked
    ("Redisのロック方式は誰が決めましたか？", ["redis"]),  # sentence-initial, but Japanese
    ("Anh Bảo đã sửa lỗi Redis chưa?", ["bao", "redis"]),  # "Anh" starts the sentence
])
def test_specific_terms(question, terms):
    assert specific_terms(question) == terms


def test_a_term_no_passage_mentions_is_missing_whatever_the_script_or_accents():
    passages = ["Hoàng Quốc Bảo: the Redis lock goes in release 2.4", "ＥＢＳ volumes were deleted (OPS-23)"]
    assert missing_terms("Has Bao fixed the Redis lock?", passages) == []
    assert missing_terms("What did we save on EBS in OPS-23?", passages) == []
    assert missing_terms("When is v2.4 out?", passages) == []  # "v2.4" is written "2.4" there
    assert missing_terms("When is v2.6 out?", passages) == ["v2.6"]
    assert missing_terms("Is v2 out?", passages) == ["v2"]  # not a prefix of 2.4
    assert missing_terms("Did we choose Sentry or Datadog for Redis?", passages) == ["sentry", "datadog"]


def test_the_reply_quotes_the_terms_as_the_question_wrote_them():
    assert quoted("Sentry か Datadog か", ["sentry", "datadog"]) == "“Sentry”, “Datadog”"
