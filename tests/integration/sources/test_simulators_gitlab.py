"""The GitLab simulator through python-gitlab, as the connector and the review agent will use it."""
from __future__ import annotations

import json

import gitlab
import httpx
import pytest
import requests

pytestmark = pytest.mark.integration
TOKEN = "glpat-teamlens-local"


@pytest.fixture
def gl(sims) -> gitlab.Gitlab:
    return gitlab.Gitlab(sims.urls["gitlab"], private_token=TOKEN, retry_transient_errors=False)


def _data(sims) -> dict:
    return json.loads((sims.data_dir / "gitlab.json").read_text())


def test_lists_every_merge_request_across_pages(sims, gl) -> None:
    project = gl.projects.get("kumo/booking-api")
    expected = next(p for p in _data(sims)["projects"] if p["project"]["id"] == project.id)["merge_requests"]
    mrs = project.mergerequests.list(get_all=True, per_page=7, state="all", order_by="updated_at", sort="asc")
    assert sorted(m.iid for m in mrs) == sorted(m["iid"] for m in expected)
    assert [m.updated_at for m in mrs] == sorted(m.updated_at for m in mrs)
    lazy = project.mergerequests.list(iterator=True, per_page=5, state="all")
    assert lazy.total == len(expected) and lazy.total_pages == -(-len(expected) // 5)


def test_pagination_headers_and_link(sims) -> None:
    resp = httpx.get(f"{sims.urls['gitlab']}/api/v4/projects/11/merge_requests",
                     params={"per_page": 5, "page": 2, "state": "all"}, headers={"PRIVATE-TOKEN": TOKEN})
    h = resp.headers
    assert (h["x-page"], h["x-per-page"], h["x-next-page"], h["x-prev-page"]) == ("2", "5", "3", "1")
    assert int(h["x-total"]) >= 20 and h["x-total-pages"] == str(-(-int(h["x-total"]) // 5))
    assert 'rel="next"' in h["link"] and "page=3" in h["link"] and sims.urls["gitlab"] in h["link"]


def test_filters_by_state_and_update_time(gl) -> None:
    project = gl.projects.get(11)
    merged = project.mergerequests.list(get_all=True, state="merged")
    assert merged and all(m.state == "merged" for m in merged)
    pivot = sorted(m.updated_at for m in merged)[len(merged) // 2]
    after = project.mergerequests.list(get_all=True, state="all", updated_after=pivot)
    assert after and all(m.updated_at >= pivot for m in after)


def test_merge_request_diffs_versions_and_files(sims, gl) -> None:
    project = gl.projects.get("kumo/booking-api")
    mr = project.mergerequests.get(1)
    assert mr.web_url.startswith(sims.urls["gitlab"] + "/kumo/booking-api/-/merge_requests/")
    diffs = gl.http_list(f"/projects/{project.id}/merge_requests/{mr.iid}/diffs", get_all=True)
    assert diffs and all(d["diff"].startswith("@@") for d in diffs)
    assert mr.changes()["changes"] == diffs
    version = mr.diffs.list(get_all=True)[0]
    assert (version.base_commit_sha, version.head_commit_sha) == (mr.diff_refs["base_sha"], mr.diff_refs["head_sha"])
    assert mr.commits().next().id == mr.sha
    path = diffs[0]["new_path"]
    content = project.files.get(path, ref=mr.source_branch).decode().decode()
    assert project.files.raw(path, ref=mr.sha).decode() == content


def _defect_mr(sims, gl):
    defect = next(d for d in sims.ground_truth["defects"] if d["mr_state"] == "opened")
    return defect, gl.projects.get(defect["project"]).mergerequests.get(defect["mr_iid"])


def _position(mr, path: str, new_line: int) -> dict:
    refs = mr.diff_refs
    return {"base_sha": refs["base_sha"], "start_sha": refs["start_sha"], "head_sha": refs["head_sha"],
            "position_type": "text", "old_path": path, "new_path": path, "new_line": new_line}


def test_inline_discussion_on_a_diff_line_is_posted(sims, gl) -> None:
    defect, mr = _defect_mr(sims, gl)
    discussion = mr.discussions.create({"body": f"{defect['category']}: {defect['explanation']}",
                                        "position": _position(mr, defect["file"], defect["new_line"])})
    note = discussion.attributes["notes"][0]
    assert note["type"] == "DiffNote" and note["position"]["new_line"] == defect["new_line"]
    assert any(d.id == discussion.id for d in mr.discussions.list(get_all=True))
    posted = sims.posted("gitlab")
    assert posted[-1]["kind"] == "mr_discussion" and posted[-1]["iid"] == mr.iid


def test_position_outside_the_diff_gets_the_line_code_400(sims, gl) -> None:
    defect, mr = _defect_mr(sims, gl)
    with pytest.raises(gitlab.GitlabCreateError) as err:
        mr.discussions.create({"body": "x", "position": _position(mr, defect["file"], 4000)})
    assert err.value.response_code == 400
    assert "line_code" in err.value.error_message and "must be a valid line code" in err.value.error_message
    assert sims.posted("gitlab") == []


def test_draft_notes_publish_as_one_review(sims, gl) -> None:
    defect, mr = _defect_mr(sims, gl)
    mr.draft_notes.create({"note": "first", "position": _position(mr, defect["file"], defect["new_line"])})
    mr.draft_notes.create({"note": "summary"})
    assert len(mr.draft_notes.list()) == 2
    mr.draft_notes.bulk_publish()
    assert mr.draft_notes.list() == []
    assert [p["discussion"]["notes"][0]["body"] for p in sims.posted("gitlab")] == ["first", "summary"]


def test_issues_and_notes(gl) -> None:
    project = gl.projects.get("kumo/booking-web")
    issues = project.issues.list(get_all=True, state="all")
    assert issues and issues[0].notes.list(get_all=True)


def test_auth_and_not_found(sims) -> None:
    with pytest.raises(gitlab.GitlabAuthenticationError) as err:
        gitlab.Gitlab(sims.urls["gitlab"], private_token="wrong").projects.get(11)
    assert err.value.response_code == 401
    resp = httpx.get(f"{sims.urls['gitlab']}/api/v4/projects/11", headers={"Authorization": "Bearer wrong"})
    assert resp.status_code == 401 and resp.json() == {"message": "401 Unauthorized"}
    bearer = gitlab.Gitlab(sims.urls["gitlab"], oauth_token=TOKEN)
    assert bearer.projects.get(11).path_with_namespace == "kumo/booking-api"
    with pytest.raises(gitlab.GitlabGetError) as missing:
        bearer.projects.get("kumo/nope")
    assert missing.value.response_code == 404


def test_faults_5xx_then_retry(sims) -> None:
    sims.faults("gitlab", "error_500", count=2)
    strict = gitlab.Gitlab(sims.urls["gitlab"], private_token=TOKEN)
    with pytest.raises(gitlab.GitlabGetError) as err:
        strict.projects.get(11)
    assert err.value.response_code == 500
    retrying = gitlab.Gitlab(sims.urls["gitlab"], private_token=TOKEN, retry_transient_errors=True)
    assert retrying.projects.get(11).id == 11          # second 500, then success


def test_fault_rate_limit_is_obeyed(sims, gl) -> None:
    sims.faults("gitlab", "rate_limit", count=1, retry_after=1)
    assert gl.projects.get(11).id == 11                # python-gitlab sleeps Retry-After and retries


def test_fault_slow_and_down(sims) -> None:
    sims.faults("gitlab", "slow", count=1, delay_s=2)
    with pytest.raises(requests.exceptions.Timeout):
        gitlab.Gitlab(sims.urls["gitlab"], private_token=TOKEN, timeout=0.5).projects.get(11)
    sims.faults("gitlab", "down")
    resp = httpx.get(f"{sims.urls['gitlab']}/api/v4/projects/11", headers={"PRIVATE-TOKEN": TOKEN})
    assert resp.status_code == 503
    sims.faults("gitlab", "none")
    assert httpx.get(f"{sims.urls['gitlab']}/api/v4/projects/11", headers={"PRIVATE-TOKEN": TOKEN}).status_code == 200


def test_touch_moves_updated_at_for_incremental_sync(sims, gl) -> None:
    before = max(m.updated_at for m in gl.projects.get(11).mergerequests.list(get_all=True, state="all"))
    sims.admin("gitlab", "POST", "/_sim/gitlab/merge_requests/11/1/touch", {"description": "edited"})
    after = gl.projects.get(11).mergerequests.list(get_all=True, updated_after=before, state="all")
    changed = [m for m in after if m.updated_at > before]       # updated_after is inclusive, as in GitLab
    assert [m.iid for m in changed] == [1] and changed[0].description == "edited"


def test_push_moves_the_head_and_compare_shows_only_the_new_commit(sims, gl) -> None:
    project = gl.projects.get(11)
    mr = next(m for m in project.mergerequests.list(get_all=True, state="opened"))
    mr = project.mergerequests.get(mr.iid)
    before = mr.diff_refs
    path = gl.http_list(f"/projects/11/merge_requests/{mr.iid}/diffs", get_all=True)[0]["new_path"]
    text = project.files.get(file_path=path, ref=before["head_sha"]).decode().decode()
    pushed = sims.admin("gitlab", "POST", f"/_sim/gitlab/merge_requests/11/{mr.iid}/push",
                        {"files": {path: text + "\nPUSHED_MARKER = 1\n"}, "message": "Follow-up"})
    assert pushed["oldrev"] == before["head_sha"] != pushed["head"]
    after = project.mergerequests.get(mr.iid)
    assert after.diff_refs["head_sha"] == pushed["head"] and after.diff_refs["base_sha"] == before["base_sha"]
    assert after.commits().next().title == "Follow-up"
    mr_diff = next(d for d in gl.http_list(f"/projects/11/merge_requests/{mr.iid}/diffs", get_all=True)
                   if d["new_path"] == path)
    assert "+PUSHED_MARKER = 1" in mr_diff["diff"]
    compare = project.repository_compare(pushed["oldrev"], pushed["head"])
    assert [c["title"] for c in compare["commits"]] == ["Follow-up"]
    assert [d["new_path"] for d in compare["diffs"]] == [path]
    assert [ln for ln in compare["diffs"][0]["diff"].splitlines() if ln.startswith("+")] == ["+", "+PUSHED_MARKER = 1"]
    bad = httpx.post(f"{sims.urls['gitlab']}/_sim/gitlab/merge_requests/11/{mr.iid}/push", json={"files": {}})
    assert bad.status_code == 400
