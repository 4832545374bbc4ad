"""The three agents end to end on the demo workspace, through the deployed API and the jobs state machine:
Slack summaries against the planted decisions and action items, reviews against the planted defects,
report numbers against values computed here from the fixture, and posting that happens once and only
after a confirm. Expected values come from the demo's answer key and raw fixture, never from the agents."""
from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import median

import boto3
import pytest

from tests.integration.stack_api import sim

pytestmark = pytest.mark.integration
JST = timezone(timedelta(hours=9))


@pytest.fixture(scope="module")
def demo(full_stack) -> dict:
    from devstack.simulators import ensure_demo_data

    folder = Path(ensure_demo_data())
    return {name: json.loads((folder / f"{name}.json").read_text())
            for name in ("ground_truth", "slack", "gitlab", "backlog")}


@pytest.fixture(scope="module")
def agents(api, full_stack, demo):
    # Fresh simulators: other tests (and earlier runs of these) post comments, messages and issues.
    for name in ("gitlab", "slack", "backlog"):
        sim(full_stack[f"{name}_url"], "/_sim/reset")
        sim(full_stack[f"{name}_url"], "/_sim/faults", {"mode": "none"})
    return api


def get(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def posted(stack: dict, service: str) -> list[dict]:
    return get(f"{stack[f'{service}_url']}/_sim/posted")["posted"]


def start(api, path: str, body: dict) -> str:
    status, started = api.call("POST", path, body)
    assert status == 202, started
    assert started["location"] == f"/jobs/{started['job_id']}"
    return started["job_id"]


def wait(api, job_id: str, timeout: float = 300) -> dict:
    return api.poll(f"/jobs/{job_id}", timeout, interval=2)


def run(api, path: str, body: dict, timeout: float = 300) -> dict:
    job = wait(api, start(api, path, body), timeout)
    assert job["status"] == "SUCCEEDED", job
    return job["result"]


def _ts_in(url: str, ts: str) -> bool:
    return f"/p{ts.replace('.', '')}" in url


# -- summaries ---------------------------------------------------------------------------------------------

SUMMARY_WEEKS = [  # (channel, first day of a week in JST) holding planted decisions and action items
    ("release", date(2026, 11, 2)),
    ("dev-frontend", date(2026, 10, 26)),
]


@pytest.mark.parametrize("channel,monday", SUMMARY_WEEKS, ids=[c for c, _ in SUMMARY_WEEKS])
def test_summary_links_planted_decisions_and_action_items(agents, demo, full_stack, channel, monday):
    since = datetime.combine(monday, datetime.min.time(), JST)
    until = since + timedelta(days=7)
    result = run(agents, "/summaries", {"channel": f"#{channel}", "since": since.isoformat(),
                                        "until": until.isoformat(), "language": "ja"})
    truth = demo["ground_truth"]
    in_range = lambda item: (item["source"]["channel"] == channel  # noqa: E731
                             and since.timestamp() <= float(item["source"]["ts"]) < until.timestamp())
    decisions = [d for d in truth["decisions"] if in_range(d)]
    actions = [a for a in truth["action_items"] if in_range(a)]
    assert decisions and actions, "the chosen week must hold planted items"
    for d in decisions:
        assert any(_ts_in(x["permalink"], d["source"]["ts"]) for x in result["decisions"]), (d, result["decisions"])
    for a in actions:
        match = [x for x in result["action_items"] if _ts_in(x["permalink"], a["source"]["ts"])]
        assert match, (a, result["action_items"])
        assert match[0]["owner"] == a["owner"] and match[0]["due"] == a["due"], (a, match[0])
    for x in result["decisions"] + result["action_items"] + result["open_questions"]:
        assert x["permalink"].startswith(full_stack["slack_url"] + "/archives/"), x  # Slack's own permalink

    # the counts come from the data: every message of the channel-week, replies included, minus deletions
    deleted = {m["ts"] for m in truth["deleted_messages"]}
    messages = [m for m in demo["slack"]["messages"][channel]
                if since.timestamp() <= float(m["ts"]) < until.timestamp() and m["ts"] not in deleted]
    assert result["stats"]["messages"] == len(messages)
    assert {p["user"]: p["messages"] for p in result["stats"]["participants"]} == Counter(m["user"] for m in messages)
    assert "## " in result["markdown"] and "決定事項" in result["markdown"]  # headings in the requested language
    assert result["overview"], result["warnings"]


def test_thread_summary_and_prompt_injection_cause_no_write(agents, demo, full_stack):
    injection = demo["ground_truth"]["prompt_injections"][0]["source"]
    before = {s: len(posted(full_stack, s)) for s in ("slack", "gitlab", "backlog")}
    result = run(agents, "/summaries", {"thread": injection["url"].replace("https://kumo-team.slack.example",
                                                                           full_stack["slack_url"])})
    assert result["stats"]["messages"] >= 1
    # the message asks to post #dev-backend to #general: data, not an instruction; nothing was written anywhere
    assert {s: len(posted(full_stack, s)) for s in ("slack", "gitlab", "backlog")} == before


# -- reviews -----------------------------------------------------------------------------------------------

def test_reviews_flag_planted_defects_at_their_lines(agents, demo):
    defects = demo["ground_truth"]["defects"]
    mrs = sorted({(d["project"], d["mr_iid"]) for d in defects})
    with ThreadPoolExecutor(len(mrs)) as pool:
        jobs = list(pool.map(lambda mr: start(agents, "/reviews", {"project": mr[0], "iid": mr[1]}), mrs))
    results = {mr: wait(agents, job) for mr, job in zip(mrs, jobs)}
    found = 0
    for d in defects:
        job = results[(d["project"], d["mr_iid"])]
        assert job["status"] == "SUCCEEDED", job
        findings = job["result"]["findings"]
        found += any(f["file"] == d["file"] and f["new_line"] == d["new_line"] for f in findings)
    assert found / len(defects) >= 0.8, (found, len(defects))
    for job in results.values():
        result = job["result"]
        assert result["dry_run"] is True and result.get("posted") is None
        for f in result["findings"]:
            assert f["severity"] in ("critical", "major", "minor", "info") and f["message"] and f["fingerprint"]
        assert result["markdown"].startswith("## Review of")


def test_review_posts_inline_comments_once(agents, demo, full_stack):
    project, iid = "kumo/booking-api", 20
    planted = {(d["file"], d["new_line"]) for d in demo["ground_truth"]["defects"]
               if d["project"] == project and d["mr_iid"] == iid}
    first = run(agents, "/reviews", {"project": project, "iid": iid, "post": True})
    assert first["posted"]["posted"] == len(first["findings"]) > 0
    url = f"{full_stack['gitlab_url']}/api/v4/projects/{project.replace('/', '%2F')}/merge_requests/{iid}/discussions"
    discussions = get_gitlab(url)
    ours = [d["notes"][0] for d in discussions if "teamlens-review" in d["notes"][0]["body"]]
    positions = {(n["position"]["new_path"], n["position"]["new_line"]) for n in ours}
    assert planted <= positions, (planted, positions)
    assert len(ours) == len(first["findings"])

    again = run(agents, "/reviews", {"project": project, "iid": iid, "post": True})
    assert again["posted"] == {"posted": 0, "already_posted": len(first["findings"])}
    assert len([d for d in get_gitlab(url) if "teamlens-review" in d["notes"][0]["body"]]) == len(ours)


def get_gitlab(url: str) -> list[dict]:
    import urllib.request

    req = urllib.request.Request(url, headers={"PRIVATE-TOKEN": "glpat-teamlens-local"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


# -- reports -----------------------------------------------------------------------------------------------

def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def expected_numbers(demo: dict, since: datetime, until: datetime) -> tuple[dict, dict]:
    """The report's numbers, computed straight from the fixture files."""
    backlog, gitlab = {}, {}
    keys = {p["id"]: p["projectKey"] for p in demo["backlog"]["projects"]}
    as_of = until.astimezone(JST).date()
    for key in keys.values():
        issues = [i for i in demo["backlog"]["issues"] if keys[i["projectId"]] == key]
        closed_at = {}
        for i in issues:
            for c in i["_comments"]:
                if any(ch["field"] == "status" and ch["newValue"] == "完了" for ch in c.get("changeLog") or []):
                    closed_at[i["issueKey"]] = _t(c["created"])
        backlog[key] = {
            "opened": sum(since <= _t(i["created"]) < until for i in issues),
            "closed": sum(i["status"]["id"] == 4 and i["issueKey"] in closed_at and since <= closed_at[i["issueKey"]] < until
                          for i in issues),
            "overdue": sum(i["status"]["id"] != 4 and bool(i["dueDate"]) and _t(i["dueDate"]).date() < as_of
                           for i in issues)}
    for p in demo["gitlab"]["projects"]:
        hours = []
        for m in p["merge_requests"]:
            author = m["author"]["id"]
            reviews = [_t(n["created_at"]) for d in m["_discussions"] for n in d["notes"]
                       if not n.get("system") and n["author"]["id"] != author]
            first = min(reviews, default=None)
            if first and since <= first < until:
                hours.append((first - _t(m["created_at"])).total_seconds() / 3600)
        mrs = p["merge_requests"]
        ended = lambda m: _t(m["merged_at"]) or _t(m["closed_at"])  # noqa: E731
        gitlab[p["project"]["path_with_namespace"]] = {
            "merged": sum(bool(m["merged_at"]) and since <= _t(m["merged_at"]) < until for m in mrs),
            "open": sum(_t(m["created_at"]) <= until and (ended(m) is None or ended(m) > until) for m in mrs),
            "review_turnaround_hours_median": round(median(hours), 1) if hours else None}
    return backlog, gitlab


def test_report_numbers_equal_the_fixture(agents, demo):
    since = datetime(2026, 11, 16, tzinfo=JST)
    until = since + timedelta(days=7)
    result = run(agents, "/reports", {"report_kind": "weekly_project", "since": since.isoformat(),
                                      "until": until.isoformat(), "language": "vi"})
    backlog, gitlab = expected_numbers(demo, since, until)
    assert {k: {f: v[f] for f in ("opened", "closed", "overdue")} for k, v in result["backlog"].items()} == backlog
    assert {k: {f: v[f] for f in ("merged", "open", "review_turnaround_hours_median")}
            for k, v in result["gitlab"].items()} == gitlab
    assert "Báo cáo tuần" in result["markdown"] and result["narrative"]
    assert result["confirmation"]["token"]


def test_report_posts_once_and_only_on_confirm(agents, full_stack):
    before = {s: len(posted(full_stack, s)) for s in ("slack", "backlog")}
    job_id = start(agents, "/reports", {"range": "last week", "post_to": {"slack_channel": "#release",
                                                                          "backlog_project": "OPS"}})
    job = wait(agents, job_id)
    assert job["status"] == "SUCCEEDED", job
    assert {s: len(posted(full_stack, s)) for s in ("slack", "backlog")} == before  # no confirm, nothing posted

    status, body = agents.call("POST", f"/reports/{job_id}/confirm", {"token": "not-the-token"})
    assert status == 409 and "token" in body["message"]
    assert {s: len(posted(full_stack, s)) for s in ("slack", "backlog")} == before

    token = job["result"]["confirmation"]["token"]
    with ThreadPoolExecutor(3) as pool:  # a double click and a client retry, at once
        replies = list(pool.map(lambda _: agents.call("POST", f"/reports/{job_id}/confirm", {"token": token}), range(3)))
    assert all(s in (200, 409) for s, _ in replies), replies
    status, body = agents.call("POST", f"/reports/{job_id}/confirm", {"token": token})  # and a later retry
    assert status == 200, body
    slack_posts = posted(full_stack, "slack")[before["slack"]:]
    backlog_posts = posted(full_stack, "backlog")[before["backlog"]:]
    assert len(slack_posts) == 1 and len(backlog_posts) == 1, (slack_posts, backlog_posts)
    assert body["posted"]["slack"]["ts"] == slack_posts[0]["ts"]
    assert body["posted"]["backlog"]["issue_key"] == backlog_posts[0]["issue"]["issueKey"]


# -- errors and other ways in ------------------------------------------------------------------------------

@pytest.mark.parametrize("path,body,named", [
    ("/summaries", {"channel": "#no-such-channel"}, "no-such-channel"),
    ("/reviews", {"project": "kumo/booking-api", "iid": 9999}, "kumo/booking-api!9999"),
    ("/reviews", {"project": "kumo/nothing-here", "iid": 1}, "kumo/nothing-here"),
])
def test_unknown_targets_are_404_naming_them(agents, path, body, named):
    status, reply = agents.call("POST", path, body)
    assert status == 404 and named in reply["message"], reply


@pytest.mark.parametrize("path,body", [
    ("/summaries", {}), ("/summaries", {"channel": "dev-backend", "since": "yesterday-ish"}),
    ("/reviews", {"project": "kumo/booking-api"}), ("/reports", {"report_kind": "monthly"}),
    ("/reports", {"post_to": {"backlog_project": "not a key"}}),
])
def test_bad_requests_are_422(agents, path, body):
    status, reply = agents.call("POST", path, body)
    assert status == 422, reply


def test_source_down_fails_the_job_with_the_reason(agents, full_stack):
    sim(full_stack["slack_url"], "/_sim/faults", {"mode": "error_500"})
    try:
        status, started = agents.call("POST", "/summaries", {"channel": "release", "range": "7d"})
        assert status == 202, started
        job = wait(agents, started["job_id"], timeout=240)
    finally:
        sim(full_stack["slack_url"], "/_sim/faults", {"mode": "none"})
    assert job["status"] == "FAILED" and "Slack is unavailable" in job["error"], job


def test_started_directly_in_step_functions(agents, full_stack):
    sfn = boto3.client("stepfunctions", endpoint_url=full_stack["endpoint"], region_name=full_stack["region"],
                       aws_access_key_id="test", aws_secret_access_key="test")
    arn = full_stack["outputs"]["JobsStateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(
        {"kind": "review_mr", "args": {"project": "kumo/booking-web", "iid": 20}}))
    job_id = execution["executionArn"].rsplit(":", 1)[-1]
    job = wait(agents, job_id)
    assert job["status"] == "SUCCEEDED" and job["kind"] == "review_mr", job
    assert any(f["file"] == "src/components/RestaurantMap.tsx" and f["new_line"] == 1 for f in job["result"]["findings"])
