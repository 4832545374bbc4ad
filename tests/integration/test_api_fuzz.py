"""Contract fuzzing: schemathesis generates requests from the API's own OpenAPI document and sends them through
API Gateway with the key. No response may be a 5xx, and each must match the schema the document declares.

Bounded in time (TEAMLENS_FUZZ_S, default 150 s for both runs) and kept from doing real work: routes that
start runs or jobs (`/ingest`, `/reindex`, `/summaries`, `/reviews`, `/reports`) get only invalid bodies,
and a review's `post` is fixed to false in the document fuzzed, so nothing is ever posted to a source.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
BUDGET_S = int(os.environ.get("TEAMLENS_FUZZ_S", "150"))
JOB_ROUTES = r"^/(ingest|reindex|summaries|reviews|reports)$"


def dry_run_document(document: dict) -> dict:
    """The API's document with every `post` flag (a review posting its findings) fixed to false."""
    for schema in document.get("components", {}).get("schemas", {}).values():
        if "post" in (schema.get("properties") or {}):
            schema["properties"]["post"] = {"type": "boolean", "enum": [False], "default": False}
    return document


def fuzz(document: Path, api, tmp: Path, name: str, *args: str, seconds: int) -> tuple[int, Counter, str]:
    """Run schemathesis; (exit code, responses by status, its summary output)."""
    har = tmp / f"{name}.har"
    st = Path(sys.executable).with_name("st")
    proc = subprocess.run(
        [str(st), "run", str(document), "--url", api.url, "-H", f"x-api-key: {api.key}",
         "--checks", "not_a_server_error,response_schema_conformance", "--max-time", str(seconds),
         "--seed", "20261204", "--generation-database", "none", "--suppress-health-check", "all",
         "--request-timeout", "90", "--workers", "1", "--no-color", "--report", "har", "--report-har-path", str(har),
         *args],
        capture_output=True, text=True, timeout=seconds + 300, check=False, cwd=tmp)  # its cache stays in tmp
    statuses: Counter = Counter()
    if har.exists():
        for entry in json.loads(har.read_text())["log"]["entries"]:
            statuses[entry["response"]["status"]] += 1
    return proc.returncode, statuses, (proc.stdout + proc.stderr)[-6000:]


def test_fuzzed_requests_get_no_5xx_and_match_the_schema(demo_indexed, api, tmp_path):
    status, document = api.call("GET", "/openapi.json")
    assert status == 200
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(dry_run_document(document)))

    results = {
        # Every operation but the ones that start work, valid and invalid requests alike.
        "all": fuzz(path, api, tmp_path, "all", "--exclude-path-regex", JOB_ROUTES, "--max-examples", "25",
                    seconds=BUDGET_S * 2 // 3),
        # The ones that start work: invalid requests only, which must be refused before anything starts.
        "negative": fuzz(path, api, tmp_path, "negative", "--include-path-regex", JOB_ROUTES, "--mode", "negative",
                         "--max-examples", "25", seconds=BUDGET_S // 3),
    }
    report = {name: {"requests": sum(s.values()), "by_status": dict(sorted(s.items()))}
              for name, (_, s, _) in results.items()}
    print(json.dumps(report))
    for name, (code, statuses, output) in results.items():
        assert sum(statuses.values()) > 20, (name, output)
        assert not [s for s in statuses if s >= 500], (name, report, output)
        assert code == 0, (name, output)
    started = {s: n for s, n in results["negative"][1].items() if 200 <= s < 300}
    assert not started, f"invalid requests started work: {started}"
