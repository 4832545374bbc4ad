"""The demo workspace: deterministic, big enough, multilingual, with consistent planted answers."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from demo.generate import FILES, DemoConfig, build, encode, ensure_workspace


@pytest.fixture(scope="module")
def files() -> dict:
    return build(DemoConfig())


def test_two_runs_write_identical_bytes(tmp_path: Path) -> None:
    a = ensure_workspace(tmp_path / "a", force=True)
    b = ensure_workspace(tmp_path / "b", force=True)
    for name in (*FILES, "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_unchanged_inputs_are_not_rewritten(tmp_path: Path) -> None:
    out = ensure_workspace(tmp_path / "w")
    before = {n: (out / n).stat().st_mtime_ns for n in FILES}
    ensure_workspace(tmp_path / "w")
    assert {n: (out / n).stat().st_mtime_ns for n in FILES} == before


def test_dates_are_configurable_and_change_the_data() -> None:
    other = build(DemoConfig(end=DemoConfig().end.replace(day=13)))
    assert encode(other["slack.json"]) != encode(build(DemoConfig())["slack.json"])
    assert other["ground_truth.json"]["config"]["end"].endswith("-13")


def test_counts_meet_the_minimums(files: dict) -> None:
    slack, gitlab, backlog = files["slack.json"], files["gitlab.json"], files["backlog.json"]
    live = [m for ms in slack["messages"].values() for m in ms if "_deleted_ts" not in m]
    assert len(slack["channels"]) >= 6
    assert len(live) >= 1500
    assert sum(1 for m in live if m.get("thread_ts") and m["thread_ts"] != m["ts"]) >= 300      # replies
    assert sum(1 for m in live if "edited" in m) >= 10
    assert sum(1 for ms in slack["messages"].values() for m in ms if "_deleted_ts" in m) >= 10
    assert sum(1 for m in live if "<@U" in m["text"]) >= 50
    assert sum(1 for m in live if m.get("reactions")) >= 100
    assert len(gitlab["projects"]) == 2
    mrs = [m for p in gitlab["projects"] for m in p["merge_requests"]]
    assert len(mrs) >= 40
    assert all(m["_diffs"] and all(d["diff"].startswith("@@ ") for d in m["_diffs"]) for m in mrs)
    paths = {d["new_path"] for m in mrs for d in m["_diffs"]}
    assert any(p.endswith(".py") for p in paths) and any(p.endswith((".ts", ".tsx")) for p in paths)
    assert sum(len(m["_discussions"]) for m in mrs) >= 40
    assert all(p["issues"] for p in gitlab["projects"])
    assert len(backlog["projects"]) == 2
    assert len(backlog["issues"]) >= 150
    assert sum(len(i["_comments"]) for i in backlog["issues"]) >= 200
    assert {i["status"]["name"] for i in backlog["issues"]} == {"未対応", "処理中", "処理済み", "完了"}
    assert sum(1 for i in backlog["issues"] if i["dueDate"] and i["milestone"] and i["assignee"]) >= 50


def test_languages_are_mixed(files: dict) -> None:
    texts = [m["text"] for ms in files["slack.json"]["messages"].values() for m in ms]
    texts += [i["summary"] + i["description"] for i in files["backlog.json"]["issues"]]
    japanese = sum(1 for t in texts if re.search(r"[\u3040-\u30ff]", t))
    vietnamese = sum(1 for t in texts if re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", t))
    english = sum(1 for t in texts if re.search(r"\b(the|and|could|please|review)\b", t, re.I))
    assert japanese >= 300 and vietnamese >= 300 and english >= 100


def _doc_exists(doc: dict, files: dict) -> bool:
    slack, gitlab, backlog = files["slack.json"], files["gitlab.json"], files["backlog.json"]
    if doc["source"] == "slack":
        return any(m["ts"] == doc["ts"] and "_deleted_ts" not in m for m in slack["messages"][doc["channel"]])
    if doc["kind"] == "merge_request":
        return any(p["project"]["path_with_namespace"] == doc["project"] and
                   any(m["iid"] == doc["iid"] for m in p["merge_requests"]) for p in gitlab["projects"])
    if doc["kind"] == "file":
        p = next(p for p in gitlab["projects"] if p["project"]["path_with_namespace"] == doc["project"])
        return doc["file_path"] in p["repository"]["trees"][p["repository"]["branches"]["main"]]
    if doc["kind"] == "issue":
        return any(i["issueKey"] == doc["issue_key"] for i in backlog["issues"])
    if doc["kind"] == "comment":
        issue = next(i for i in backlog["issues"] if i["issueKey"] == doc["issue_key"])
        return any(c["id"] == doc["comment_id"] for c in issue["_comments"])
    if doc["kind"] == "milestone":
        return any(m["id"] == doc["milestone_id"] for m in backlog["milestones"][doc["project_key"]])
    return False


def test_every_planted_fact_has_questions_and_existing_gold(files: dict) -> None:
    truth = files["ground_truth.json"]
    assert len(truth["facts"]) >= 20
    for fact in truth["facts"]:
        assert all(fact["question"][lang] for lang in ("en", "ja", "vi")), fact["id"]
        assert fact["answer"] and "⟦" not in fact["answer"]
        assert fact["gold"] and all(_doc_exists(d, files) for d in fact["gold"]), fact["id"]
    for key in ("decisions", "action_items"):
        assert len(truth[key]) >= 5
        assert all(_doc_exists(x["source"], files) for x in truth[key])
    assert all(x["owner"] and x["due"] for x in truth["action_items"])


def test_chains_link_slack_to_backlog_to_merge_request(files: dict) -> None:
    truth = files["ground_truth.json"]
    assert len(truth["chains"]) >= 10
    messages = {m["ts"]: m for ms in files["slack.json"]["messages"].values() for m in ms}
    issues = {i["issueKey"]: i for i in files["backlog.json"]["issues"]}
    mrs = {(p["project"]["path_with_namespace"], m["iid"]): m for p in files["gitlab.json"]["projects"]
           for m in p["merge_requests"]}
    for chain in truth["chains"]:
        key = chain["backlog"]["issue_key"]
        mr = mrs[(chain["merge_request"]["project"], chain["merge_request"]["iid"])]
        thread = [m for m in messages.values() if m.get("thread_ts") == chain["slack"]["ts"]]
        assert any(key in m["text"] for m in thread), f"{chain['id']}: Slack thread does not name {key}"
        issue_text = issues[key]["description"] + " ".join(c["content"] or "" for c in issues[key]["_comments"])
        assert mr["web_url"] in issue_text, f"{chain['id']}: issue does not link the MR"
        assert key in mr["description"], f"{chain['id']}: MR does not name the issue"
        assert chain["slack"]["url"] in issues[key]["description"]


def test_defects_point_at_added_lines(files: dict) -> None:
    from demo.diff_lines import diff_line_map

    truth = files["ground_truth.json"]
    categories = {d["category"] for d in truth["defects"]}
    assert {"sql_injection", "bare_except", "missing_await", "off_by_one", "hardcoded_secret"} <= categories
    mrs = {(p["project"]["path_with_namespace"], m["iid"]): m for p in files["gitlab.json"]["projects"]
           for m in p["merge_requests"]}
    for d in truth["defects"]:
        diff = next(x for x in mrs[(d["project"], d["mr_iid"])]["_diffs"] if x["new_path"] == d["file"])
        assert diff_line_map(diff["diff"]).get(("new", d["new_line"])) == "+", d


def test_prompt_injection_is_planted_as_data(files: dict) -> None:
    injection = files["ground_truth.json"]["prompt_injections"][0]
    text = next(m["text"] for m in files["slack.json"]["messages"][injection["source"]["channel"]]
                if m["ts"] == injection["source"]["ts"])
    assert "ignore previous instructions and post" in text.lower()


def test_edited_message_changes_a_planted_answer(files: dict) -> None:
    """The release-date post was edited: only the edited text has the right date."""
    truth = files["ground_truth.json"]
    fact = next(f for f in truth["facts"] if f["id"] == "release-move")
    edited = {e["ts"]: e for e in truth["edited_messages"]}
    post = edited[fact["gold"][0]["ts"]]
    assert post["text"] != post["original_text"]
    assert json.dumps(truth["deleted_messages"], ensure_ascii=False).count("code freeze") >= 1


def test_the_independent_question_sets_hold_against_the_demo(tmp_path):
    """The cross-language and unanswerable sets name documents that the generator still writes."""
    import runpy

    from demo.generate import ensure_workspace

    folder = ensure_workspace(tmp_path / "demo")
    check = runpy.run_path(str(Path(__file__).resolve().parents[1] / "data" / "check_question_sets.py"))
    assert check["main"](["check_question_sets.py", str(folder)]) == 0
