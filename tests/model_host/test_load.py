"""Load, priorities and the engine's life: questions before batch work, a full question queue answers 503 +
Retry-After at once, batch work waits instead of failing, a client that goes away frees its slot, and a
dead engine is noticed, reported by /health and brought back without restarting anything else.
The test server runs with 2 slots (batch may hold 1) and a question queue of 1 (conftest.TEST_ENV)."""
from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.integration

LONG = {"messages": [{"role": "user", "content": "Write a very long, detailed essay about the history of computing."}],
        "max_tokens": 400, "temperature": 0.7}
# Deterministic and long: greedy counting never stops early.
COUNT = {"messages": [{"role": "user", "content": "Count from 1 to 500, separated by commas."}], "max_tokens": 400,
         "temperature": 0}
SHORT = {"messages": [{"role": "user", "content": "Say ok."}], "max_tokens": 5, "temperature": 0}
BATCH = {"X-Teamlens-Priority": "batch"}


def post(root_url: str, body: dict, headers: dict | None = None, timeout: float = 300) -> httpx.Response:
    with httpx.Client(base_url=root_url, timeout=timeout) as c:
        return c.post("/v1/chat/completions", json=body, headers=headers or {})


def test_full_question_queue_answers_503_with_retry_after_and_a_disconnect_frees_the_slot(
        root_url, read_metrics, wait_for):
    cancelled_before = read_metrics()["chat"]["cancelled"]
    with httpx.Client(base_url=root_url, timeout=120) as a1, httpx.Client(base_url=root_url, timeout=120) as a2:
        # Two long streamed generations hold both slots.
        with a1.stream("POST", "/v1/chat/completions", json={**LONG, "stream": True}) as s1, \
                a2.stream("POST", "/v1/chat/completions", json={**LONG, "stream": True}) as s2:
            assert s1.status_code == s2.status_code == 200
            # The role chunks. The line iterators are kept: a discarded one closes its response.
            lines = s1.iter_lines(), s2.iter_lines()
            next(lines[0]), next(lines[1])
            assert wait_for(lambda: read_metrics()["queue"]["interactive_running"] == 2, timeout=30)

            # B waits (the one place in the question queue).
            result_b: dict = {}
            thread_b = threading.Thread(target=lambda: result_b.update(status=post(root_url, SHORT).status_code))
            thread_b.start()
            assert wait_for(lambda: read_metrics()["queue"]["interactive_waiting"] == 1, timeout=30)

            # C: no room: refused at once, never left hanging.
            # Waiting for a slot would last until the streams close; a refusal takes what the front needs to
            # read the request while the engine holds both cores (measured 0.1-7 s on a busy 2-core machine).
            started = time.monotonic()
            r = post(root_url, {"messages": [{"role": "user", "content": "hi"}]})
            assert time.monotonic() - started < 15.0
            assert r.status_code == 503, r.text
            assert int(r.headers["Retry-After"]) >= 1
            err = r.json()["error"]
            assert err["code"] == "queue_full" and "MODEL_HOST_CHAT_QUEUE" in err["message"]
        # Leaving the `with` closed both streams mid-generation: the server stops them, and B runs.
        assert wait_for(lambda: read_metrics()["chat"]["cancelled"] >= cancelled_before + 2, timeout=15)
        thread_b.join(timeout=60)
        assert result_b.get("status") == 200


def test_a_question_is_answered_while_batch_work_fills_the_engine(root_url, read_metrics, wait_for):
    """Batch requests beyond their one slot wait (and all succeed); a question meanwhile starts at once."""
    with ThreadPoolExecutor(4) as pool:
        # Long enough that the queued batch work is still queued when the question is done (each holds its
        # slot for ~15 s on 2 cores), so the order is what the assertions see.
        batch = [pool.submit(post, root_url, {**LONG, "max_tokens": 320}, BATCH) for _ in range(3)]
        assert wait_for(lambda: read_metrics()["queue"]["batch_waiting"] == 2, timeout=30)
        m = read_metrics()["queue"]
        assert m["batch_running"] == 1, m  # batch never holds the last slot

        started = time.monotonic()
        question = post(root_url, {**SHORT, "max_tokens": 12})
        waited = time.monotonic() - started
        assert question.status_code == 200, question.text
        assert question.json()["choices"][0]["message"]["content"]
        assert read_metrics()["queue"]["batch_waiting"] >= 1, "the question had to run before the queued batch work"
        assert waited < 20, f"a question took {waited:.1f}s beside batch work"

        answers = [f.result() for f in batch]
    assert [r.status_code for r in answers] == [200, 200, 200], [r.text[-300:] for r in answers]


def test_an_unknown_priority_is_a_clear_400(root_url):
    r = post(root_url, SHORT, {"X-Teamlens-Priority": "urgent"})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["param"] == "X-Teamlens-Priority" and "interactive, batch" in err["message"]


def test_non_streaming_client_timeout_cancels_the_generation(root_url, read_metrics, wait_for):
    cancelled_before = read_metrics()["chat"]["cancelled"]
    with httpx.Client(base_url=root_url, timeout=1.5) as client, pytest.raises(httpx.ReadTimeout):
        client.post("/v1/chat/completions", json=COUNT)
    # The server notices the closed connection within a poll interval and stops generating.
    assert wait_for(lambda: read_metrics()["chat"]["cancelled"] > cancelled_before, timeout=10)
    assert wait_for(lambda: read_metrics()["queue"]["chat_running"] == 0, timeout=10)


def test_a_dead_engine_is_reported_and_comes_back(http, root_url, wait_for):
    engine = http.get("/health").json()["engine"]
    assert engine["state"] == "ok" and engine["pid"]
    restarts = engine["restarts"]
    os.kill(engine["pid"], signal.SIGKILL)

    def degraded() -> bool:
        r = http.get("/health")
        return r.status_code == 503 and r.json()["engine"]["state"] == "restarting"

    assert wait_for(degraded, timeout=10, interval=0.05), "the model host did not notice the engine died"
    body = http.get("/health").json()
    assert body["status"] == "degraded" and "signal 9" in (body["engine"]["last_exit"] or "")
    # Embeddings do not depend on the engine.
    assert http.post("/v1/embeddings", json={"input": "still here"}).status_code == 200

    def back() -> bool:
        r = http.get("/health")
        return r.status_code == 200 and r.json()["engine"]["restarts"] == restarts + 1

    assert wait_for(back, timeout=120), http.get("/health").text
    assert http.get("/health").json()["engine"]["pid"] != engine["pid"]
    r = post(root_url, SHORT)
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"]


def test_metrics_are_readable(http):
    m = http.get("/metrics").json()
    assert m["models"]["ready"] is True
    assert {"chat_waiting", "chat_running", "chat_limit", "embedding_waiting", "slots", "batch_slots",
            "interactive_waiting", "batch_waiting"} <= set(m["queue"])
    assert m["queue"]["slots"] == 2 and m["queue"]["batch_slots"] == 1
    assert m["chat"]["generations"] >= 0 and "tokens_per_s_avg" in m["chat"]
    assert m["engine"]["state"] in ("ok", "restarting")
    assert m["rss_mb"] > 0
