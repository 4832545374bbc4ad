"""The installed `teamlens` command against the deployed stack: what a shell user sees and the exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli(demo_indexed, full_stack, tmp_path_factory):
    assert demo_indexed["status"] == "SUCCEEDED", demo_indexed
    stack_file = tmp_path_factory.mktemp("cli") / "stack.json"
    stack_file.write_text(json.dumps(full_stack))
    exe = Path(sys.executable).with_name("teamlens")

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMLENS_API")}
        return subprocess.run([str(exe), "--stack-file", str(stack_file), *args], check=False,
                              capture_output=True, text=True, timeout=timeout, env={**env, "COLUMNS": "200"},
                              cwd=ROOT)
    return run


def test_ask_prints_a_cited_answer(cli):
    done = cli("ask", "Which date library did the frontend team choose?")
    assert done.returncode == 0, done.stderr
    assert "[1]" in done.stdout and "http" in done.stdout and "conversation" in done.stdout
    as_json = cli("ask", "Which date library did the frontend team choose?", "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["citations"]


def test_search_and_status(cli):
    done = cli("search", "double booking", "-k", "3", "--json")
    assert done.returncode == 0 and len(json.loads(done.stdout)["results"]) == 3
    status = cli("status", "--json")
    assert status.returncode == 0, status.stderr
    reply = json.loads(status.stdout)
    assert reply["models"]["chat"] and reply["models"]["embedding"] and sum(reply["index"].values()) > 0


def test_review_waits_for_the_job_and_lists_it(cli):
    done = cli("review", "kumo/booking-web!20", "--json")
    assert done.returncode == 0, done.stderr
    job = json.loads(done.stdout)
    assert job["status"] == "SUCCEEDED" and any(f["new_line"] == 1 for f in job["result"]["findings"])
    listed = cli("jobs", "--json")
    assert job["job_id"] in [j["job_id"] for j in json.loads(listed.stdout)["jobs"]]


@pytest.mark.parametrize("args,code,words", [
    (("review", "kumo/booking-api!9999"), 4, "not found"),
    (("review", "booking-api"), 2, "not a merge request reference"),
    (("summarize", "#no-such-channel"), 4, "no-such-channel"),
    (("report", "monthly"), 2, "unknown report"),
])
def test_user_errors_are_one_line_and_an_exit_code(cli, args, code, words):
    done = cli(*args)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert words in done.stderr and "Traceback" not in done.stderr


def test_ingest_wait_shows_each_source(cli):
    done = cli("ingest", "--source", "backlog", "--wait")
    assert done.returncode == 0, done.stderr
    assert "backlog" in done.stdout and "succeeded" in done.stdout
