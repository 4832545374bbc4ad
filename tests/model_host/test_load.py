"""Overload and disconnects: a full chat queue answers 503 + Retry-After at once; a client that goes away
stops its generation. The test server runs with MODEL_HOST_CHAT_QUEUE=1 (one running, one waiting)."""
from __future__ import annotations

import threading
import time

import httpx
import pytest

pytestmark = pytest.mark.integration

LONG = {"messages": [{"role": "user", "content": "Write a very long, detailed essay about the history of computing."}],
        "max_tokens": 400, "temperature": 0.7}


def test_full_queue_answers_503_with_retry_after_and_a_disconnect_cancels(root_url, read_metrics, wait_for):
    cancelled_before = read_metrics()["chat"]["cancelled"]
    with httpx.Client(base_url=root_url, timeout=120) as a, httpx.Client(base_url=root_url, timeout=120) as c:
        # A: a long streamed generation, running.
        with a.stream("POST", "/v1/chat/completions", json={**LONG, "stream": True}) as stream_a:
            assert stream_a.status_code == 200
            lines = stream_a.iter_lines()
            next(lines)  # the role chunk
            assert wait_for(lambda: read_metrics()["queue"]["chat_running"] == 1, timeout=30)

            # B: waits behind A (the one queue slot).
            result_b: dict = {}

            def send_b() -> None:
                with httpx.Client(base_url=root_url, timeout=120) as b:
                    started = time.monotonic()
                    r = b.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "Say ok."}],
                                                               "max_tokens": 5})
                    result_b.update(status=r.status_code, seconds=time.monotonic() - started)

            thread_b = threading.Thread(target=send_b)
            thread_b.start()
            assert wait_for(lambda: read_metrics()["queue"]["chat_waiting"] == 1, timeout=30)

            # C: no room: refused at once, never left hanging.
            started = time.monotonic()
            r = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
            assert time.monotonic() - started < 2.0
            assert r.status_code == 503, r.text
            assert int(r.headers["Retry-After"]) >= 1
            err = r.json()["error"]
            assert err["code"] == "queue_full" and "MODEL_HOST_CHAT_QUEUE" in err["message"]
        # Leaving the `with` closed A's connection mid-generation: the server must stop it, and B runs.
        assert wait_for(lambda: read_metrics()["chat"]["cancelled"] > cancelled_before, timeout=15)
        thread_b.join(timeout=60)
        assert result_b.get("status") == 200


def test_non_streaming_client_timeout_cancels_the_generation(root_url, read_metrics, wait_for):
    cancelled_before = read_metrics()["chat"]["cancelled"]
    with httpx.Client(base_url=root_url, timeout=1.5) as client, pytest.raises(httpx.ReadTimeout):
        client.post("/v1/chat/completions", json=LONG)
    # The server notices the closed connection within a poll interval and stops generating.
    assert wait_for(lambda: read_metrics()["chat"]["cancelled"] > cancelled_before, timeout=10)
    assert wait_for(lambda: read_metrics()["queue"]["chat_running"] == 0, timeout=10)


def test_metrics_are_readable(http):
    m = http.get("/metrics").json()
    assert m["models"]["ready"] is True
    assert {"chat_waiting", "chat_running", "chat_limit", "embedding_waiting"} <= set(m["queue"])
    assert m["chat"]["generations"] >= 0 and "tokens_per_s_avg" in m["chat"]
    assert m["rss_mb"] > 0
