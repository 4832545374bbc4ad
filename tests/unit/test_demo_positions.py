"""GitLab position validation, run against the demo's real diffs (no server needed)."""
from __future__ import annotations

import pytest

from demo.generate import DemoConfig, build
from simulators.gitlab_positions import LINE_CODE_ERROR, position_error


@pytest.fixture(scope="module")
def mr_with_defect() -> tuple[dict, dict]:
    files = build(DemoConfig())
    defect = files["ground_truth.json"]["defects"][0]
    project = next(p for p in files["gitlab.json"]["projects"]
                   if p["project"]["path_with_namespace"] == defect["project"])
    return next(m for m in project["merge_requests"] if m["iid"] == defect["mr_iid"]), defect


def _position(mr: dict, path: str, **lines: int) -> dict:
    v = mr["_version"]
    return {"base_sha": v["base_commit_sha"], "start_sha": v["start_commit_sha"], "head_sha": v["head_commit_sha"],
            "position_type": "text", "old_path": path, "new_path": path, **lines}


def test_added_line_is_accepted(mr_with_defect) -> None:
    mr, defect = mr_with_defect
    assert position_error(_position(mr, defect["file"], new_line=defect["new_line"]), mr["_version"], mr["_diffs"]) is None


def test_line_outside_the_diff_gets_gitlabs_line_code_error(mr_with_defect) -> None:
    mr, defect = mr_with_defect
    pos = _position(mr, defect["file"], new_line=5000)
    assert position_error(pos, mr["_version"], mr["_diffs"]) == LINE_CODE_ERROR


def test_wrong_sha_or_path_is_rejected(mr_with_defect) -> None:
    mr, defect = mr_with_defect
    stale = {**_position(mr, defect["file"], new_line=defect["new_line"]), "head_sha": "0" * 40}
    assert position_error(stale, mr["_version"], mr["_diffs"]) == LINE_CODE_ERROR
    elsewhere = _position(mr, "not/in/the/diff.py", new_line=1)
    assert position_error(elsewhere, mr["_version"], mr["_diffs"]) == LINE_CODE_ERROR
