"""Questions under load on a running stack (`make up`), through API Gateway as a team would ask them:

1. 20 questions one at a time on an otherwise idle stack (the baseline);
2. the same 20 questions one at a time while batch work runs: a merge-request review with model findings
   (booking-web!19, 40 lines) and a channel-week Slack summary, each started again as soon as it ends,
   so both run for the whole window;
3. bursts of 4 questions at once (after one burst that warms 4 Lambda environments): each answer's time,
   and the model's aggregate generated tokens/s against one at a time (from the model host's counters).

An answer that is not the model's own is either the fallback for a busy model host ("busy": the
generation was refused or ran out of time, which is what this bench is about) or the facts quoted because
the model's answer failed a check ("quoted": a matter of the model's quality, the same idle or loaded).
Also the model host's memory with its engine. Prints tables, writes bench/results/serving.json.

    .venv/bin/python -m bench.serving [--questions 20] [--bursts 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Self

from bench.table import ROOT, percentile, print_table, require_pinned_demo, write_results
from devstack import api_client

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.jsonl"
REVIEW = ("/reviews", {"project": "kumo/booking-web", "iid": 19})
SUMMARY = ("/summaries", {"channel": "dev-backend", "since": "2026-11-16T00:00:00+09:00",
                          "until": "2026-11-23T00:00:00+09:00"})


def questions(n: int, offset: int = 0) -> list[str]:
    """Every k-th labelled question, so each set mixes languages and topics."""
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip() and not line.startswith("#")]
    step = max(1, len(rows) // n)
    return [rows[(offset + i * step) % len(rows)]["question"] for i in range(n)]


def model_host_metrics(info: dict) -> dict:
    with urllib.request.urlopen(f"{info['model_host_url'].rstrip('/')}/metrics", timeout=10) as r:
        return json.loads(r.read())


def ask(info: dict, question: str) -> dict:
    from teamlens.ask.replies import MODEL_BUSY

    t0 = time.perf_counter()
    status, body = api_client.call(info, "POST", "/ask", {"question": question}, timeout=60)
    outcome = body.get("status") if status == 200 else f"http {status}"
    if outcome == "sources_only":
        outcome = "busy" if any(body["answer"].startswith(lead) for lead in MODEL_BUSY.values()) else "quoted"
    steps = body.get("timings_ms", {}) if status == 200 else {}
    return {"seconds": time.perf_counter() - t0, "http": status, "status": outcome,
            "steps_ms": {k: steps[k] for k in STEPS if k in steps}}


class BatchLoad:
    """Keeps one job of each kind running until stopped; counts the jobs that finished, and how."""

    def __init__(self, info: dict) -> None:
        self.info = info
        self.stop = threading.Event()
        self.finished: list[dict] = []
        self.threads = [threading.Thread(target=self._loop, args=job, daemon=True) for job in (REVIEW, SUMMARY)]

    def __enter__(self) -> Self:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=600)

    def running(self) -> int:
        _, body = api_client.call(self.info, "GET", "/jobs?limit=20")
        return sum(1 for j in body.get("jobs", []) if j["status"] in ("QUEUED", "RUNNING"))

    def _loop(self, path: str, body: dict) -> None:
        while not self.stop.is_set():
            t0 = time.perf_counter()
            status, started = api_client.call(self.info, "POST", path, body)
            if status != 202:
                self.finished.append({"kind": path, "status": f"http {status}"})
                time.sleep(2)
                continue
            while True:  # a started job is waited for even after stop: the next figures need a quiet host
                time.sleep(1)
                _, job = api_client.call(self.info, "GET", f"/jobs/{started['job_id']}")
                if job.get("status") not in ("QUEUED", "RUNNING"):
                    break
            self.finished.append({"kind": path, "status": job.get("status"), "seconds": time.perf_counter() - t0})


STEPS = ("route", "retrieve", "evidence", "rescore_skipped", "generate")


def summarize(results: list[dict]) -> dict:
    """Counts, latency, and each /ask step's p50 (where the time goes under load)."""
    secs = [r["seconds"] for r in results]
    steps = {k: [r["steps_ms"][k] for r in results if k in r.get("steps_ms", {})] for k in STEPS}
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"n": len(results), "answered": statuses.get("answered", 0), "busy": statuses.get("busy", 0),
            "p50_s": round(percentile(secs, 50), 2),
            "p95_s": round(percentile(secs, 95), 2), "max_s": round(max(secs), 2), "statuses": statuses,
            "step_p50_ms": {k: round(percentile(v, 50)) for k, v in steps.items() if v},
            "steps_counted": {k: len(v) for k, v in steps.items() if v}}


def tokens_per_s(info: dict, run) -> tuple[float, list[dict]]:
    """Run `run()`; the model's generated tokens per second of wall time meanwhile."""
    before = model_host_metrics(info)["chat"]["completion_tokens"]
    t0 = time.perf_counter()
    results = run()
    wall = time.perf_counter() - t0
    tokens = model_host_metrics(info)["chat"]["completion_tokens"] - before
    return tokens / wall, results


def decode_batching(info: dict, n: int = 4, max_tokens: int = 160) -> dict:
    """The engine alone, on decode-heavy requests (short prompt, long answer): n at once against one at a
    time, generated tokens per second of wall time."""
    import httpx

    url = f"{info['model_host_url'].rstrip('/')}/v1/chat/completions"

    def one(i: int) -> int:
        body = {"messages": [{"role": "user", "content": f"Write a paragraph of advice number {i} for a team "
                                                         "that reviews merge requests."}],
                "max_tokens": max_tokens, "temperature": 0.7, "seed": i}
        return httpx.post(url, json=body, timeout=300).json()["usage"]["completion_tokens"]

    t0 = time.perf_counter()
    sequential = sum(one(i) for i in range(n)) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(n) as pool:
        parallel = sum(pool.map(one, range(n, 2 * n))) / (time.perf_counter() - t0)
    return {"one_at_a_time": round(sequential, 1), "at_once": round(parallel, 1), "n": n,
            "gain": round(parallel / sequential, 2)}


def main() -> int:
    require_pinned_demo()
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--bursts", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    for q in questions(4, offset=3):  # warm the /ask Lambda and the model host's caches
        ask(info, q)

    alone = [ask(info, q) for q in questions(args.questions)]
    with BatchLoad(info) as load:
        while load.running() < 2:
            time.sleep(0.5)
        time.sleep(5)  # both jobs into their model calls
        busy_batch = model_host_metrics(info)["queue"]
        under_load = [ask(info, q) for q in questions(args.questions)]
        jobs_during = len(load.finished)
    mh = model_host_metrics(info)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda q: ask(info, q), questions(4, offset=5)))  # warm 4 Lambda environments
        one_rate, _ = tokens_per_s(info, lambda: [ask(info, q) for q in questions(4, offset=2)])
        bursts, rates = [], []
        for b in range(args.bursts):
            burst = questions(4, offset=7 + b)
            rate, res = tokens_per_s(info, lambda burst=burst: list(pool.map(lambda q: ask(info, q), burst)))
            bursts += res
            rates.append(rate)
    burst_rate = statistics.mean(rates)
    decode = decode_batching(info)

    s_alone, s_load, s_burst = summarize(alone), summarize(under_load), summarize(bursts)
    def row(name: str, s: dict, target: str) -> tuple:
        return (name, f"{s['answered']}/{s['n']}", f"{s['busy']}/{s['n']}", f"{s['p50_s']} s", f"{s['p95_s']} s",
                f"{s['max_s']} s", target)

    print_table(("questions through /ask", "answered by the model", "busy fallback", "p50", "p95", "max",
                 "target"), [
        row("one at a time, idle stack", s_alone, "p50 no worse than bench.ask"),
        row("same, review + summary running", s_load, ">= 19/20 answered, p50 <= 4 s"),
        row(f"4 at once ({args.bursts} bursts, warm)", s_burst, "all answered, each <= 8 s"),
    ])
    print(f"statuses: idle {s_alone['statuses']}, under load {s_load['statuses']}, bursts {s_burst['statuses']}")
    print()
    print_table(("/ask step, p50 ms", "idle", "under load", "4 at once"),
                [(k, *(s["step_p50_ms"].get(k, "-") for s in (s_alone, s_load, s_burst))) for k in STEPS])
    print()
    engine = mh.get("engine", {})
    print_table(("model host", "value"), [
        ("generated tokens/s, one question at a time", f"{one_rate:.1f}"),
        ("generated tokens/s, 4 at once", f"{burst_rate:.1f} ({burst_rate / one_rate:.1f}x; target >= 2x)"),
        ("engine alone, decode-heavy (160-token answers): 1 vs 4 at once",
         f"{decode['one_at_a_time']} vs {decode['at_once']} tokens/s ({decode['gain']}x)"),
        ("batch jobs finished while the questions ran", jobs_during),
        ("slots busy with batch work when the questions began",
         f"{busy_batch.get('batch_running')} of {busy_batch.get('slots')}"),
        ("RSS: front + engine", f"{mh['rss_mb']:.0f} MB + {engine.get('rss_mb', 0):.0f} MB"),
        ("questions refused (503) / batch refused",
         f"{mh['queue'].get('interactive_rejected')} / {mh['queue'].get('batch_rejected')}"),
    ])
    write_results("serving", {
        "alone": s_alone, "under_batch_load": s_load, "bursts_of_4": s_burst,
        "tokens_per_s_one_at_a_time": round(one_rate, 1), "tokens_per_s_4_at_once": round(burst_rate, 1),
        "batching_gain": round(burst_rate / one_rate, 2), "decode_heavy": decode, "batch_jobs_during": load.finished,
        "batch_slots_busy_at_start": busy_batch.get("batch_running"), "slots": busy_batch.get("slots"),
        "rss_mb_front": mh["rss_mb"], "rss_mb_engine": engine.get("rss_mb"),
        "model": mh["models"]["chat"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
