"""Slack and GitLab calling in, through API Gateway like a real deployment: the simulators send signed
Slack events and slash commands and GitLab merge request hooks; unsigned, stale or wrongly signed
requests are 401 and start nothing."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from cdk.config import LOCAL_DEFAULTS
from teamlens.chatops.events import review_job_id
from teamlens.chatops.verify import slack_signature
from tests.integration.stack_api import sim

pytestmark = pytest.mark.integration
SIGNING_SECRET = LOCAL_DEFAULTS["SLACK_SIGNING_SECRET"]
WEBHOOK_TOKEN = LOCAL_DEFAULTS["GITLAB_WEBHOOK_TOKEN"]


def post(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def slack_posts(stack: dict) -> list[dict]:
    return [p for p in get(f"{stack['slack_url']}/_sim/posted")["posted"] if p.get("kind", "chat.postMessage") == "chat.postMessage"]


def wait_for(predicate, timeout: float = 120, interval: float = 2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if found := predicate():
            return found
        time.sleep(interval)
    raise AssertionError("timed out waiting")


@pytest.fixture(scope="module")
def hooks(demo_indexed, full_stack) -> dict:
    assert demo_indexed["status"] == "SUCCEEDED"
    return {"events": full_stack["api_url"] + "/hooks/slack/events",
            "commands": full_stack["api_url"] + "/hooks/slack/commands",
            "gitlab": full_stack["api_url"] + "/hooks/gitlab"}


def signed(body: bytes, ts: int | None = None, secret: str = SIGNING_SECRET) -> dict:
    ts = ts or int(time.time())
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": slack_signature(secret, str(ts), body)}


def test_url_verification_answers_the_challenge(hooks):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}).encode()
    status, reply = post(hooks["events"], body, signed(body))
    assert status == 200 and reply["challenge"].startswith("3eZbrw1a")


@pytest.mark.parametrize("headers", [
    {"Content-Type": "application/json"},                                     # unsigned
    "stale", "wrong-secret",
], ids=["unsigned", "stale", "wrong-secret"])
def test_unauthenticated_slack_requests_are_401_and_run_nothing(hooks, full_stack, headers):
    event = {"type": "event_callback", "event_id": f"EvBad{time.time_ns()}",
             "event": {"type": "app_mention", "channel": "C04KGENERAL", "ts": "1795000000.000100",
                       "user": "U04KTANAKA", "text": "<@UBOT> post everything to #general"}}
    body = json.dumps(event).encode()
    if headers == "stale":
        headers = signed(body, ts=int(time.time()) - 600)
    elif headers == "wrong-secret":
        headers = signed(body, secret="not-the-secret")
    before = len(slack_posts(full_stack))
    status, _ = post(hooks["events"], body, headers)
    assert status == 401
    status, _ = post(hooks["commands"], b"text=report+weekly&channel_id=C04KGENERAL", {**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401
    time.sleep(5)
    assert len(slack_posts(full_stack)) == before


def test_mention_is_acknowledged_fast_and_answered_in_the_thread_once(hooks, full_stack):
    delivery = sim(full_stack["slack_url"], "/_sim/slack/mention", {
        "channel": "dev-frontend", "user": "U04KLEDUC1", "text": "Which date library did the frontend team choose?",
        "url": hooks["events"], "signing_secret": SIGNING_SECRET, "retries": 1})  # Slack redelivers once
    assert delivery["status"] == 200 and delivery["elapsed_ms"] < 3000, delivery
    replies = wait_for(lambda: [p for p in slack_posts(full_stack) if p.get("thread_ts") == delivery["ts"]])
    time.sleep(5)  # a redelivered event must not produce a second answer
    replies = [p for p in slack_posts(full_stack) if p.get("thread_ts") == delivery["ts"]]
    assert len(replies) == 1, replies
    assert "[1] <http" in replies[0]["text"], replies[0]["text"]


def test_slash_command_summary_is_posted_to_the_channel(hooks, full_stack):
    before = len(slack_posts(full_stack))
    delivery = sim(full_stack["slack_url"], "/_sim/slack/command", {
        "channel": "release", "text": "summarize #release last week", "url": hooks["commands"],
        "signing_secret": SIGNING_SECRET})
    assert delivery["status"] == 200 and delivery["elapsed_ms"] < 3000, delivery
    assert json.loads(delivery["response"])["response_type"] == "ephemeral"
    summary = wait_for(lambda: [p for p in slack_posts(full_stack)[before:] if "Summary of #release" in p["text"]],
                       timeout=240)
    assert summary[0]["channel"] == "C04KRELEASE"


def test_merge_request_hook_reviews_once_with_one_batch_of_comments(hooks, full_stack, api):
    gitlab = full_stack["gitlab_url"]
    sim(gitlab, "/_sim/gitlab/webhooks", {"url": hooks["gitlab"], "token": WEBHOOK_TOKEN})
    project, iid = "kumo/booking-web", 20
    mr = get(f"{gitlab}/api/v4/projects/{project.replace('/', '%2F')}/merge_requests/{iid}?private_token=glpat-teamlens-local")
    emitted = sim(gitlab, "/_sim/gitlab/emit", {"project_id": mr["project_id"], "iid": iid, "action": "open"})
    assert [d["status"] for d in emitted["deliveries"] if d["url"] == hooks["gitlab"]] == [202], emitted["deliveries"]
    job_id = review_job_id(project, iid, emitted["payload"]["object_attributes"]["last_commit"]["id"])
    job = api.poll(f"/jobs/{job_id}", timeout=300, interval=2)
    assert job["status"] == "SUCCEEDED" and job["result"]["posted"]["posted"] >= 1, job

    url = f"{gitlab}/api/v4/projects/{project.replace('/', '%2F')}/merge_requests/{iid}/discussions?private_token=glpat-teamlens-local"
    ours = [d for d in get(url) if "teamlens-review" in d["notes"][0]["body"]]
    assert ("src/components/RestaurantMap.tsx", 1) in {(d["notes"][0]["position"]["new_path"],
                                                       d["notes"][0]["position"]["new_line"]) for d in ours}
    # the same head again (a redelivery, or an update that pushed nothing new): no second review
    again = sim(gitlab, "/_sim/gitlab/emit", {"project_id": mr["project_id"], "iid": iid, "action": "update",
                                              "oldrev": "0" * 40})
    assert [d["status"] for d in again["deliveries"] if d["url"] == hooks["gitlab"]] == [200]
    assert len([d for d in get(url) if "teamlens-review" in d["notes"][0]["body"]]) == len(ours)

    # a push: the update names the old head; only the new commit's lines are reviewed, nothing is repeated
    pushed = sim(gitlab, f"/_sim/gitlab/merge_requests/{mr['project_id']}/{iid}/push", {"message": "Add totals", "files": {
        "src/lib/totals.ts": "export function total(items: number[]): number {\n  let sum = 0;\n"
                             "  for (let i = 0; i <= items.length; i++) {\n    sum += items[i];\n  }\n  return sum;\n}\n"}})
    update = sim(gitlab, "/_sim/gitlab/emit", {"project_id": mr["project_id"], "iid": iid, "action": "update",
                                               "oldrev": pushed["oldrev"]})
    assert [d["status"] for d in update["deliveries"] if d["url"] == hooks["gitlab"]] == [202], update["deliveries"]
    job = api.poll(f"/jobs/{review_job_id(project, iid, pushed['head'])}", timeout=300, interval=2)
    assert job["status"] == "SUCCEEDED", job
    result = job["result"]
    assert result["incremental"] == {"since_sha": pushed["oldrev"], "files": 1}, result
    assert result["findings"] and {f["file"] for f in result["findings"]} == {"src/lib/totals.ts"}, result["findings"]
    assert any(f["new_line"] == 3 for f in result["findings"]), result["findings"]
    after = [d for d in get(url) if "teamlens-review" in d["notes"][0]["body"]]
    new = [d for d in after if d["id"] not in {o["id"] for o in ours}]
    assert len(after) == len(ours) + result["posted"]["posted"] and new, (len(after), len(ours), result["posted"])
    assert {d["notes"][0]["position"]["new_path"] for d in new} == {"src/lib/totals.ts"}


def test_gitlab_hook_with_a_wrong_token_is_401(hooks):
    status, _ = post(hooks["gitlab"], json.dumps({"object_kind": "merge_request"}).encode(),
                     {"Content-Type": "application/json", "X-Gitlab-Token": "wrong"})
    assert status == 401


@pytest.mark.parametrize("hook, body", [
    ("events", b"not json"),
    ("events", b"\xff\xfe{\x00}\x00"),
    ("events", json.dumps({"type": "event_callback", "event_id": "Ev-no-channel",
                           "event": {"type": "app_mention", "text": "<@UBOT> hi", "ts": "1.0"}}).encode()),
    ("events", json.dumps({"type": "event_callback", "event": "not an object"}).encode()),
    ("events", b"[" * 3000 + b"]" * 3000),
    ("gitlab", b"{not json"),
    ("gitlab", json.dumps({"object_kind": "merge_request", "project": "kumo/booking-api",
                           "object_attributes": {"action": "open", "iid": 1}}).encode()),
])
def test_authenticated_but_malformed_hook_bodies_are_400_naming_the_body(hooks, hook, body):
    headers = signed(body) if hook == "events" else {"Content-Type": "application/json",
                                                      "X-Gitlab-Token": WEBHOOK_TOKEN}
    status, answer = post(hooks[hook], body, headers)
    assert status == 400, answer
    assert answer["message"]
