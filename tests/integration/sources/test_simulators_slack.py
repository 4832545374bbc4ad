"""The Slack simulator through slack_sdk's WebClient: cursors, threads, edits, deletions, 429s."""
from __future__ import annotations

import json

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

pytestmark = pytest.mark.integration
TOKEN = "xoxb-teamlens-local"
QA = "C04KQABUGS1"


@pytest.fixture
def client(sims) -> WebClient:
    return WebClient(token=TOKEN, base_url=sims.urls["slack"] + "/api/", timeout=5)


def _stored(sims, channel: str) -> list[dict]:
    return json.loads((sims.data_dir / "slack.json").read_text())["messages"][channel]


def _history(client: WebClient, channel: str, **kwargs) -> list[dict]:
    return [m for page in client.conversations_history(channel=channel, **kwargs) for m in page["messages"]]


def test_auth_users_and_channels(client) -> None:
    assert client.auth_test()["user"] == "teamlens"
    channels = [c for page in client.conversations_list(limit=3) for c in page["channels"]]
    assert len(channels) >= 6 and len({c["id"] for c in channels}) == len(channels)
    members = [u for page in client.users_list(limit=4) for u in page["members"]]
    assert any(u["is_bot"] for u in members) and len(members) >= 10


def test_history_pages_newest_first_top_level_only(sims, client) -> None:
    messages = _history(client, QA, limit=40)
    stored = _stored(sims, "qa-bugs")
    top = [m for m in stored if m.get("thread_ts") in (None, m["ts"])]
    shown = [m for m in top if "_deleted_ts" not in m or any(
        r.get("thread_ts") == m["ts"] and r["ts"] != m["ts"] and "_deleted_ts" not in r for r in stored)]
    assert [m["ts"] for m in messages] == sorted((m["ts"] for m in shown), key=float, reverse=True)
    assert all(m.get("thread_ts") in (None, m["ts"]) for m in messages)
    parent = next(m for m in messages if m.get("reply_count"))
    assert parent["latest_reply"] > parent["ts"] and parent["reply_users"]


def test_replies_parent_first_with_cursor(client) -> None:
    parent = max(_history(client, QA), key=lambda m: m.get("reply_count", 0))
    messages, pages = [], 0
    for page in client.conversations_replies(channel=QA, ts=parent["ts"], limit=2):   # one object, refilled
        messages += page["messages"]
        pages += 1
    assert pages > 1 and messages[0]["ts"] == parent["ts"]
    assert len(messages) == parent["reply_count"] + 1
    assert all(m["thread_ts"] == parent["ts"] for m in messages)
    assert [m["ts"] for m in messages[1:]] == sorted((m["ts"] for m in messages[1:]), key=float)


def test_oldest_latest_are_exclusive_unless_inclusive(client) -> None:
    messages = _history(client, QA)
    newest, older = messages[0]["ts"], messages[5]["ts"]
    between = _history(client, QA, oldest=older, latest=newest)
    assert [m["ts"] for m in between] == [m["ts"] for m in messages[1:5]]
    inclusive = _history(client, QA, oldest=older, latest=newest, inclusive=True)
    assert [m["ts"] for m in inclusive] == [m["ts"] for m in messages[0:6]]


def test_edits_and_deletions_are_faithful(sims, client) -> None:
    truth = sims.ground_truth
    deleted = {d["ts"] for d in truth["deleted_messages"]}
    seen = {}
    for c in [c for p in client.conversations_list() for c in p["channels"]]:
        for m in _history(client, c["id"]):
            seen[m["ts"]] = m
    assert not (deleted & {ts for ts, m in seen.items() if m.get("subtype") != "tombstone"})
    edited = [e for e in truth["edited_messages"] if e["ts"] in seen]
    assert edited and all(seen[e["ts"]]["edited"]["ts"] and seen[e["ts"]]["text"] == e["text"] for e in edited)
    events = sims.admin("slack", "GET", "/_sim/slack/events")["events"]
    removed = [e for e in events if e.get("subtype") == "message_deleted"]
    assert {e["deleted_ts"] for e in removed} == deleted and all(e["ts"] != e["deleted_ts"] for e in removed)


def test_runtime_delete_and_late_reply(sims, client) -> None:
    parent = max(_history(client, QA), key=lambda m: m.get("reply_count", 0))
    reply = sims.admin("slack", "POST", "/_sim/slack/messages",
                       {"channel": QA, "user": "mai.tran", "text": "Late reply", "thread_ts": parent["ts"]})
    again = next(m for m in _history(client, QA) if m["ts"] == parent["ts"])
    assert again["latest_reply"] == reply["ts"] and again["reply_count"] == parent["reply_count"] + 1
    sims.admin("slack", "POST", "/_sim/slack/delete", {"channel": QA, "ts": reply["ts"]})
    replies = [m for p in client.conversations_replies(channel=QA, ts=parent["ts"]) for m in p["messages"]]
    assert reply["ts"] not in {m["ts"] for m in replies}


def test_post_message_is_recorded_and_has_a_permalink(sims, client) -> None:
    parent = _history(client, "C04KGENERAL")[0]
    resp = client.chat_postMessage(channel="#general", text="Weekly summary", thread_ts=parent["ts"])
    assert resp["message"]["thread_ts"] == parent["ts"]
    posted = sims.posted("slack")
    assert posted[-1]["text"] == "Weekly summary" and posted[-1]["channel"] == "C04KGENERAL"
    link = client.chat_getPermalink(channel="C04KGENERAL", message_ts=resp["ts"])["permalink"]
    assert link.startswith(sims.urls["slack"]) and "thread_ts=" in link
    assert httpx.get(link).status_code == 200


def test_errors_use_slacks_envelope(sims, client) -> None:
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=sims.urls["slack"] + "/api/").auth_test()
    assert err.value.response.status_code == 200 and err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        client.conversations_history(channel="C0NOPE")
    assert err.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as err:
        client.conversations_history(channel=QA, cursor="not-a-cursor")
    assert err.value.response["error"] == "invalid_cursor"


def test_tier_limit_429_survived_by_the_retry_handler(sims, client) -> None:
    sims.admin("slack", "POST", "/_sim/rate_limits", {"limits": {"conversations.history": 2}, "window_s": 1})
    with pytest.raises(SlackApiError) as err:
        _history(client, QA, limit=20)
    assert err.value.response.status_code == 429 and err.value.response["error"] == "ratelimited"
    assert int(err.value.response.headers["retry-after"][0] if isinstance(err.value.response.headers["retry-after"], list)
               else err.value.response.headers["retry-after"]) >= 1
    patient = WebClient(token=TOKEN, base_url=sims.urls["slack"] + "/api/",
                        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=10)])
    assert len(_history(patient, QA, limit=20)) == len(_history(patient, QA, limit=999))


def test_restricted_profile_caps_the_page_size(sims, client) -> None:
    sims.admin("slack", "POST", "/_sim/rate_limits", {"profile": "restricted", "window_s": 60})
    page = client.conversations_history(channel=QA, limit=200)
    assert len(page["messages"]) == 15 and page["has_more"]
    with pytest.raises(SlackApiError) as err:
        client.conversations_history(channel=QA, cursor=page["response_metadata"]["next_cursor"])
    assert err.value.response.status_code == 429


def test_faults(sims, client) -> None:
    sims.faults("slack", "rate_limit", count=1, retry_after=1)
    patient = WebClient(token=TOKEN, base_url=sims.urls["slack"] + "/api/",
                        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    assert patient.auth_test()["ok"]
    sims.faults("slack", "error_500", count=1)
    with pytest.raises(SlackApiError) as err:
        client.auth_test()
    assert err.value.response.status_code == 500
    sims.faults("slack", "slow", count=1, delay_s=2)
    with pytest.raises(Exception):  # noqa: B017 - any error will do: the client must not wait out the delay
        WebClient(token=TOKEN, base_url=sims.urls["slack"] + "/api/", timeout=0.5).auth_test()
    sims.faults("slack", "down")
    assert httpx.post(sims.urls["slack"] + "/api/auth.test", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 503
