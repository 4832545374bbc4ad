"""teamlens.retrieval.search's pure parts: quoted phrases, the blended query vector, and the rerank."""
from __future__ import annotations

import math

import pytest

from teamlens.retrieval.search import Hit, is_source_file, query_vector, quoted_phrases, rerank


def hit(id_: str, dense: float, text: str = "", *, source: str = "slack", kind: str = "slack_thread",
        doc: str | None = None, **md) -> Hit:
    return Hit(id=id_, text=text, score=dense, dense=dense, keyword=0.0, source=source, url=f"http://x/{id_}",
               title="", metadata={"kind": kind, "document_id": doc or id_, **md})


@pytest.mark.parametrize("query, phrases", [
    ('Issue Backlog nào theo dõi vấn đề "slow restaurant search"?', ["slow restaurant search"]),
    ("「full-width phone numbers rejected」の問題を追跡しているBacklog課題はどれですか？",
     ["full-width phone numbers rejected"]),
    ("Was “double booking” or 『予約重複』 reported first?", ["double booking", "予約重複"]),
    ('What did "ok" mean?', []),           # too short to stand on its own
    ("Who reported the double booking bug?", []),
    ('"the whole question in quotes"', []),  # nothing to add: it is the question
])
def test_quoted_phrases(query, phrases):
    assert quoted_phrases(query) == phrases


def test_query_vector_is_the_question_alone_without_phrases():
    assert query_vector([[0.6, 0.8]]) == ([0.6, 0.8], 1.0)


def test_query_vector_scales_back_to_the_mean_of_the_two_cosines():
    q, p = [1.0, 0.0], [0.0, 1.0]
    vector, length = query_vector([q, p])
    assert vector == [0.5, 0.5] and length == pytest.approx(math.sqrt(0.5))
    doc = [1.0, 0.0]
    cosine_to_unit = sum(a * b for a, b in zip(doc, vector)) / length  # what the vector store computes
    assert cosine_to_unit * length == pytest.approx((1.0 + 0.0) / 2)    # what the retriever reports


def test_query_vector_averages_several_phrases_first():
    vector, _ = query_vector([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert vector == pytest.approx([0.5, 0.25, 0.25])


def test_an_exact_identifier_lifts_a_slightly_less_similar_chunk():
    a = hit("a", 0.850, "we should discuss pagination soon")
    b = hit("b", 0.845, "BOOK-24 moved the release")
    assert [h.id for h in rerank([a, b], "what happened in BOOK-24", k=2)] == ["b", "a"]
    assert [h.id for h in rerank([a, b], "what happened in BOOK-24", k=2, keyword_weight=0.0)] == ["a", "b"]


def test_source_files_rank_below_discussions_unless_the_query_names_code():
    code = hit("code", 0.86, "def deposit(): ...", source="gitlab", kind="code", file_path="app/pricing.py")
    talk = hit("talk", 0.84, "deposit is 10 percent", source="slack")
    assert rerank([code, talk], "how is the deposit set", k=1)[0].id == "talk"
    assert rerank([code, talk], "what does deposit() in app/pricing.py do", k=1)[0].id == "code"


def test_translation_diffs_count_as_source_files_other_diffs_do_not():
    vi = hit("vi", 0.86, "", source="gitlab", kind="mr_diff", file_path="src/i18n/vi.json")
    po = hit("po", 0.86, "", source="gitlab", kind="mr_diff", file_path="locale/ja/messages.po")
    fix = hit("fix", 0.86, "", source="gitlab", kind="mr_diff", file_path="app/services/booking.py")
    assert is_source_file(vi) and is_source_file(po) and not is_source_file(fix)
    talk = hit("talk", 0.83, "", source="slack")
    assert [h.id for h in rerank([vi, talk, fix], "Ai sửa lỗi đặt trùng bàn?", k=3)] == ["fix", "talk", "vi"]


def test_a_named_source_is_preferred():
    slack = hit("s", 0.85, source="slack")
    backlog = hit("b", 0.84, source="backlog", kind="backlog_issue")
    assert rerank([slack, backlog], "which Backlog issue tracks the outage", k=1)[0].id == "b"
    assert rerank([slack, backlog], "what tracks the outage", k=1)[0].id == "s"


def test_one_chunk_per_document_and_at_most_k():
    hits = [hit("d1#0", 0.9, doc="d1"), hit("d1#1", 0.89, doc="d1"), hit("d2#0", 0.8, doc="d2"),
            hit("d3#0", 0.7, doc="d3")]
    assert [h.id for h in rerank(hits, "anything", k=2)] == ["d1#0", "d2#0"]
    assert rerank([], "anything", k=3) == []


def test_a_channel_day_digest_ranks_below_an_equally_similar_thread():
    digest = hit("day", 0.86, kind="slack_day")
    thread = hit("thread", 0.85)
    assert [h.id for h in rerank([digest, thread], "what happened", k=2)] == ["thread", "day"]


def test_near_duplicate_chunks_give_their_places_to_other_documents():
    copies = [hit(f"copy{i}", 0.90 - i * 0.001) for i in range(3)]  # a templated message posted three times
    for i, c in enumerate(copies):
        c.vector = [1.0, 0.01 * i, 0.0]
    other = hit("other", 0.85)
    other.vector = [0.0, 1.0, 0.0]
    near = hit("near-but-different", 0.84)
    near.vector = [0.9, 0.44, 0.0]  # cosine ~0.9 to the copies: related, not the same text
    ranked = [h.id for h in rerank([*copies, other, near], "question", k=3)]
    assert ranked == ["copy0", "other", "near-but-different"]
    # Without vectors nothing is collapsed (e.g. hits from a store that does not return them).
    plain = [hit(f"p{i}", 0.9 - i * 0.001) for i in range(3)]
    assert [h.id for h in rerank(plain, "question", k=3)] == ["p0", "p1", "p2"]


def test_the_vector_is_not_part_of_a_serialized_hit():
    h = hit("a", 0.9)
    h.vector = [0.1, 0.2]
    assert "vector" not in h.model_dump()
