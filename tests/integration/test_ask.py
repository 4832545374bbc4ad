"""/ask, /search, /conversations and /jobs end to end through API Gateway on the ingested demo workspace:
the real router, retriever, model host and ChromaDB behind the deployed Lambdas."""
from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from teamlens.ask.citations import answer_language

pytestmark = pytest.mark.integration

# Planted one-answer facts of the demo workspace, asked in the three languages, with the document that holds
# the answer. Whether the small CPU model states the fact correctly is measured by `bench/ask.py` over all 76
# (answer correctness); here every answer must be grounded: cited, with links, from the right document.
PLANTED = [
    ("What is the new v2.4 release date?", "/archives/C04KRELEASE/p1793840400755853"),
    ("v2.4のリリース日はいつに変更されましたか？", "/archives/C04KRELEASE/p1793840400755853"),
    ("Release v2.4 được dời sang ngày nào?", "/archives/C04KRELEASE/p1793840400755853"),
    ("Which browser did v2.4 stop supporting?", "Safari 14"),
    ("v2.4でサポート対象外になったブラウザは何ですか？", "Safari 14"),
    ("v2.4 ngừng hỗ trợ trình duyệt nào?", "Safari 14"),
]


@pytest.fixture(scope="module")
def ready(demo_indexed, api):
    assert demo_indexed["status"] == "SUCCEEDED", demo_indexed
    return api


def ask(api, question: str, **extra) -> tuple[int, dict]:
    return api.call("POST", "/ask", {"question": question, **extra}, timeout=60)


@pytest.mark.parametrize("question,gold", PLANTED, ids=[q[:30] for q, _ in PLANTED])
def test_planted_facts_answered_with_citations(ready, question, gold):
    status, body = ask(ready, question)
    assert status == 200, body
    assert body["intent"] == "search"
    assert body["status"] in ("answered", "sources_only"), body
    assert body["citations"], body
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert cited and cited <= {c["n"] for c in body["citations"]}, body
    for c in body["citations"]:
        assert c["url"].startswith("http") and c["title"] and c["source"] in ("gitlab", "slack", "backlog")
    # the document holding the fact is among the sources the answer was built from
    status, found = ready.call("POST", "/search", {"query": question, "k": 5})
    assert any(gold in r["url"] or gold in r["text"] for r in found["results"]), [r["title"] for r in found["results"]]
    assert body["language"] == ("ja" if re.search("[ぁ-んァ-ン一-龯]", question) else
                                "vi" if "ợ" in question or "đ" in question.lower() else "en")
    if body["status"] == "answered":  # in the question's language, whatever the language of the fact
        assert answer_language(body["answer"]) == body["language"], body["answer"]
    else:  # the facts quoted as written, introduced in the question's language
        assert answer_language(body["answer"].splitlines()[0]) == body["language"], body["answer"]
    assert {"route", "retrieve", "total"} <= set(body["timings_ms"])
    assert body["models"]["chat"] and body["models"]["embedding"]


def test_unanswerable_question_is_not_invented(ready):
    status, body = ask(ready, "What is the name of the office cat's veterinarian?")
    assert status == 200, body
    assert body["status"] == "not_found", body
    assert body["citations"] == []
    status, body = ask(ready, "What is the capital of France?")
    assert status == 200, body
    assert body["status"] == "not_found", body
    assert body["citations"] == []


@pytest.mark.parametrize("question,term", [
    ("When is v2.9 planned to ship?", "v2.9"),  # the v2.4 and v2.5 milestones come close
    ("v2.9 のリリース日はいつですか？", "v2.9"),
    ("Nhóm đã chọn Sentry để giám sát lỗi chưa?", "Sentry"),
])
def test_a_question_about_something_the_data_never_names_is_not_found_naming_it(ready, question, term):
    status, body = ask(ready, question)
    assert status == 200, body
    assert body["status"] == "not_found" and body["citations"] == [], body
    assert f"“{term}”" in body["answer"], body


def test_follow_up_uses_the_history(ready):
    status, first = ask(ready, "Which date library did the frontend team choose?")
    assert status == 200 and first["status"] in ("answered", "sources_only"), first
    status, second = ask(ready, "Why?", conversation_id=first["conversation_id"])
    assert status == 200, second
    assert second["conversation_id"] == first["conversation_id"] and second["turn"] == 2
    # with the history it finds the date-library discussion again
    assert second["status"] in ("answered", "sources_only") and second["citations"], second
    assert any("date" in (c["title"] + c["snippet"]).lower() for c in second["citations"]), second
    status, conv = ready.call("GET", f"/conversations/{first['conversation_id']}")
    assert status == 200
    assert [t["question"] for t in conv["turns"]] == ["Which date library did the frontend team choose?", "Why?"]
    assert [t["n"] for t in conv["turns"]] == [1, 2]
    assert conv["turns"][0]["citations"] and conv["turns"][0]["intent"] == "search"
    assert conv["turns"][0]["models"]["chat"]


def test_long_work_starts_a_job(ready):
    status, body = ask(ready, "Summarize #release for last week")
    assert status == 202, body
    assert body["intent"] == "summarize_slack" and body["job_id"]
    assert body["args"].get("channel") == "release"
    job = ready.poll(f"/jobs/{body['job_id']}", timeout=300, interval=2)
    assert job["kind"] == "summarize_slack" and job["status"] == "SUCCEEDED", job
    assert job["result"]["channel"]["name"] == "release" and "markdown" in job["result"]


def test_a_job_request_missing_its_target_asks_for_it(ready):
    status, body = ask(ready, "Summarize the Slack discussion please")
    assert status == 200, body
    assert body["intent"] == "summarize_slack" and body["status"] == "needs_input" and not body.get("job_id")
    assert "channel" in body["answer"]


def test_search_ranks_and_filters(ready):
    status, body = ready.call("POST", "/search", {"query": "double booking", "k": 5})
    assert status == 200, body
    assert 0 < len(body["results"]) <= 5
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    status, only = ready.call("POST", "/search", {"query": "double booking", "k": 5, "filters": {"source": "backlog"}})
    assert status == 200 and only["results"], only
    assert {r["source"] for r in only["results"]} == {"backlog"}
    status, chan = ready.call("POST", "/search", {"query": "release date", "filters": {"channel": "#release"}})
    assert status == 200 and chan["results"], chan
    assert {r["metadata"]["channel"] for r in chan["results"]} == {"release"}


@pytest.mark.parametrize("path,body,field", [
    ("/ask", {}, "question"),
    ("/ask", {"question": ""}, "question"),
    ("/ask", {"question": "hi", "conversation_id": "not-an-id"}, "conversation_id"),
    ("/ask", {"question": "hi", "filters": {"colour": "red"}}, "colour"),
    ("/search", {"query": "x", "k": 0}, "k"),
    ("/search", {"query": "x", "filters": {"source": "jira"}}, "source"),
])
def test_bad_input_is_422_naming_the_field(ready, path, body, field):
    status, resp = ready.call("POST", path, body)
    assert status == 422, resp
    assert field in json.dumps(resp["detail"]), resp


def test_malformed_json_is_a_client_error(ready):
    status, resp = ready.call("POST", "/ask", b"{not json")
    assert status in (400, 422), resp


@pytest.mark.parametrize("path", ["/conversations/0123456789abcdef0123456789abcdef",
                                  "/conversations/nope", "/jobs/job-0123456789abcdef0123456789abcdef"])
def test_unknown_ids_are_404(ready, path):
    status, resp = ready.call("GET", path)
    assert status == 404, resp
    assert path.rsplit("/", 1)[1] in resp["message"]


def test_unknown_conversation_on_ask_is_404(ready):
    status, resp = ask(ready, "hello", conversation_id="0123456789abcdef0123456789abcdef")
    assert status == 404 and "0123456789abcdef0123456789abcdef" in resp["message"], resp


def test_openapi_document_lists_the_routes(ready):
    status, doc = ready.call("GET", "/openapi.json")
    assert status == 200
    assert {"/ask", "/search", "/conversations/{conversation_id}", "/jobs/{job_id}"} <= set(doc["paths"])


# Facts the packaged 0.5B model states in all three languages (bench.ask). Its wording shifts with the CPU's
# float rounding (on one machine a Vietnamese answer drops "LINE", on another it keeps it), so the bar is on
# the whole set: at least 6 of the 9 stated, and every language states at least one. A broken prompt,
# evidence step or language routing fails it; one unlucky answer does not.
STATED = {
    "en": [("What is the code freeze date for v2.4?", "2026-11-24"),
           ("Which feature was taken out of v2.4 and moved to v2.5?", "LINE"),
           ("What was the p95 latency of restaurant search before and after the index?", "85")],
    "ja": [("v2.4のコードフリーズはいつですか？", "2026-11-24"), ("v2.4からv2.5に移された機能は何ですか？", "LINE"),
           ("インデックス追加前後の店舗検索のp95はどれくらいでしたか？", "85")],
    "vi": [("Code freeze của v2.4 là ngày nào?", "2026-11-24"), ("Tính năng nào bị chuyển từ v2.4 sang v2.5?", "LINE"),
           ("p95 của API tìm nhà hàng trước và sau khi thêm index là bao nhiêu?", "85")],
}


def test_planted_facts_are_stated_in_each_language(ready):
    from bench.ask import states

    stated: dict[str, int] = {}
    misses = []
    for language, facts in STATED.items():
        stated[language] = 0
        for question, keyword in facts:
            status, body = ask(ready, question)
            assert status == 200 and body["citations"] and body["language"] == language, body
            if states(body["answer"], keyword):
                stated[language] += 1
            else:
                misses.append((question, keyword, body["answer"]))
    assert sum(stated.values()) >= 6 and min(stated.values()) >= 1, (stated, misses)


CONCURRENT = 20
API_GATEWAY_LIMIT_S = 29  # real API Gateway's integration limit (LocalStack does not enforce it)
QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "retrieval_questions.jsonl"


def test_concurrent_asks_from_cold_environments_all_answer(ready, full_stack):
    """20 different questions at once, each needing a new environment (the API function was just updated,
    as after a deploy): every one answers 200 with citations, inside API Gateway's limit."""
    from devstack.deploy import retire_environments

    retire_environments(full_stack["endpoint"], full_stack["outputs"]["ApiFunction"])
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    questions = list(dict.fromkeys(r["question"] for r in rows))[:CONCURRENT]

    def timed(q: str) -> tuple[int, dict, float]:
        t0 = time.monotonic()
        status, body = ready.call("POST", "/ask", {"question": q}, timeout=120)
        return status, body, time.monotonic() - t0

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        results = list(pool.map(timed, questions))
    assert [s for s, _, _ in results] == [200] * CONCURRENT, [b for s, b, _ in results if s != 200][:3]
    assert all(b["citations"] for _, b, _ in results)
    slowest = max(t for _, _, t in results)
    assert slowest < API_GATEWAY_LIMIT_S, f"the slowest of {CONCURRENT} took {slowest:.1f}s"


def test_model_host_down_is_503_with_retry_after(ready, full_stack):
    from devstack import model_host
    from devstack.config import Ports

    model_host.stop()
    try:
        status, body, headers = ready.request("POST", "/ask", {"question": "What is the new v2.4 release date?"})
        assert status == 503, body
        assert int(headers.get("Retry-After", "0")) > 0
        assert "model host" in body["message"]
        status, body, _ = ready.request("POST", "/search", {"query": "release"})
        assert status == 503, body
    finally:
        model_host.start(Ports().model_host)


def test_a_question_is_answered_by_the_model_while_batch_work_runs(ready, full_stack):
    """A review (model findings on) and a channel summary hold the model host's batch slots; a question
    asked meanwhile still gets the model's answer, not the fallback for a busy model, and the jobs succeed.
    (The small model's answer may still be replaced by the quoted facts when it fails the answer checks,
    as it is on an idle host: that is its quality, measured by bench.ask, not the serving.)"""
    import httpx

    from teamlens.ask.replies import MODEL_BUSY

    def queue() -> dict:
        return httpx.get(f"{full_stack['model_host_url'].rstrip('/')}/metrics", timeout=10).json()["queue"]

    # The question is about serving under batch load, not a cold start: the tests before retire the /ask
    # environments (the cold-burst and model-host-down tests), and a cold one under load can spend its deadline
    # before generating. Warm one first.
    assert ask(ready, "Which date library did the frontend choose?")[0] == 200
    jobs = [ready.call("POST", "/reviews", {"project": "kumo/booking-web", "iid": 19})[1]["job_id"],
            ready.call("POST", "/summaries", {"channel": "dev-backend", "since": "2026-11-16T00:00:00+09:00",
                                              "until": "2026-11-23T00:00:00+09:00"})[1]["job_id"]]
    deadline = time.monotonic() + 120
    while queue()["batch_running"] < 1:
        assert time.monotonic() < deadline, "no batch work reached the model host"
        time.sleep(0.5)
    status, body = ask(ready, "What is the new v2.4 release date?")
    assert status == 200, body
    assert body["status"] in ("answered", "sources_only") and body["citations"], body
    assert not body["answer"].startswith(MODEL_BUSY["en"]), body
    assert queue()["interactive_rejected"] == 0
    for job_id in jobs:
        deadline = time.monotonic() + 600
        while (job := ready.call("GET", f"/jobs/{job_id}")[1])["status"] == "RUNNING":
            assert time.monotonic() < deadline, job
            time.sleep(2)
        assert job["status"] == "SUCCEEDED", job
