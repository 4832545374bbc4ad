"""The agents on a running stack (`make up`): time per Slack summary of one channel-week, per weekly report
and per review of the demo's merge requests, each as a job through the API (queueing, Step Functions,
Lambda and the CPU model included); and per review of a 300-line merge request, run in-process on a diff
assembled from the demo repositories' real code (the simulator has no MR that large).

    .venv/bin/python -m bench.agents [--model-findings report|off]   (prints a table, writes bench/results/agents.json)
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from bench.table import ROOT, print_table, write_results
from devstack import api_client

sys.path.insert(0, str(ROOT / "layers" / "teamlens" / "python"))


def job(info: dict, path: str, body: dict, timeout: float = 600) -> tuple[float, dict]:
    t0 = time.perf_counter()
    status, started = api_client.call(info, "POST", path, body)
    assert status == 202, started
    while time.perf_counter() - t0 < timeout:
        _, j = api_client.call(info, "GET", f"/jobs/{started['job_id']}")
        if j["status"] != "RUNNING":
            assert j["status"] == "SUCCEEDED", j
            return time.perf_counter() - t0, j["result"]
        time.sleep(0.5)
    raise TimeoutError(path)


def synthetic_mr(lines: int = 300) -> list:
    """File diffs of real demo code (every line added), until `lines` added lines."""
    from teamlens.agents.review.diffs import FileDiff

    gitlab = json.loads((ROOT / ".state" / "demo" / "gitlab.json").read_text())
    out, total = [], 0
    for p in gitlab["projects"]:
        for m in p["merge_requests"]:
            for d in m["_diffs"]:
                added = [line[1:] for line in d["diff"].splitlines() if line.startswith("+")]
                if not added or total >= lines:
                    continue
                added = added[: lines - total]
                body = "\n".join("+" + a for a in added)
                out.append(FileDiff(old_path=d["new_path"], new_path=f"m{m['iid']}/{d['new_path']}", new_file=True,
                                    diff=f"@@ -0,0 +1,{len(added)} @@\n{body}\n"))
                total += len(added)
    return out


def review_300(info: dict, mode: str) -> dict:
    from teamlens.agents.review.agent import review_diffs
    from teamlens.model_host_client import chat_model

    diffs = synthetic_mr()
    contents = {d.new_path: "\n".join(d.added.values()) for d in diffs}
    model = chat_model(info["model_host_url"], priority="batch", max_tokens=400, timeout=120)
    t0 = time.perf_counter()
    review = review_diffs(diffs, contents.get, model=model, mode=mode, language="en", progress=lambda *a, **k: None)
    return {"seconds": round(time.perf_counter() - t0, 1), "files": review.files, "lines": review.lines,
            "findings": len(review.findings), "model_suggestions": len(review.suggestions)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-findings", default="report", choices=("report", "off"))
    args = parser.parse_args()
    info = json.loads((ROOT / ".state" / "stack.json").read_text())
    rows, result = [], {}

    t, r = job(info, "/summaries", {"channel": "dev-backend", "since": "2026-11-16T00:00:00+09:00",
                                     "until": "2026-11-23T00:00:00+09:00"})
    result["summary_channel_week"] = {"seconds": round(t, 1), "messages": r["stats"]["messages"]}
    rows.append(["summary, #dev-backend one week (API job)", f"{t:.1f} s", f"{r['stats']['messages']} messages"])

    t, r = job(info, "/reports", {"report_kind": "weekly_project", "range": "last week"})
    result["weekly_report"] = {"seconds": round(t, 1), "projects": len(r["backlog"]) + len(r["gitlab"])}
    rows.append(["weekly report, all projects (API job)", f"{t:.1f} s", f"{len(r['backlog']) + len(r['gitlab'])} projects"])

    t, r = job(info, "/reviews", {"project": "kumo/booking-web", "iid": 19})
    result["review_demo_mr"] = {"seconds": round(t, 1), "lines": r["added_lines"], "files": r["files_reviewed"]}
    rows.append(["review, booking-web!19 (API job)", f"{t:.1f} s", f"{r['added_lines']} lines, {r['files_reviewed']} files"])

    for mode in dict.fromkeys(("off", args.model_findings)):
        r = review_300(info, mode)
        result[f"review_300_lines_model_{mode}"] = r
        rows.append([f"review, 300-line MR in-process (model findings {mode})", f"{r['seconds']:.1f} s",
                     f"{r['lines']} lines, {r['files']} files"])
    print_table(["measure", "time", "size"], rows)
    write_results("agents", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
