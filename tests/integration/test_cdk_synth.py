"""The same CDK app synthesizes for LocalStack and for real AWS, and cfn-lint finds nothing."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["local", "aws"])
def test_synth_is_lint_clean(target: str, tmp_path: Path):
    env = {**os.environ, "CDK_DISABLE_VERSION_CHECK": "1", "CDK_DISABLE_CLI_TELEMETRY": "1",
           "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
           "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    out = tmp_path / "cdk.out"
    proc = subprocess.run([str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--no-notices", "-q",
                           "-c", f"teamlens:target={target}", "-o", str(out)], check=False,
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    template = out / "Teamlens.template.json"
    lint = subprocess.run([str(ROOT / ".venv" / "bin" / "cfn-lint"), str(template)], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    resources = json.loads(template.read_text())["Resources"]
    types = {r["Type"] for r in resources.values()}
    assert {"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::SecretsManager::Secret", "AWS::ApiGateway::RestApi",
            "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlan", "AWS::StepFunctions::StateMachine",
            "AWS::Events::Rule", "AWS::Lambda::LayerVersion"} <= types
    secrets = [r for r in resources.values() if r["Type"] == "AWS::SecretsManager::Secret"]
    if target == "aws":
        # Real tokens never go into a template for AWS: the secrets are generated placeholders.
        assert all("SecretString" not in s["Properties"] for s in secrets)
        assert not any("glpat-" in json.dumps(s) for s in secrets)
    else:
        assert any("glpat-teamlens-local" in json.dumps(s) for s in secrets)

    # Ingestion runs on its schedule by default (the test stack turns it off at deploy).
    ingest_rules = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Events::Rule"
                    and r["Properties"].get("ScheduleExpression") == "rate(15 minutes)"]
    assert len(ingest_rules) == 1 and ingest_rules[0]["State"] == "ENABLED", ingest_rules
    # The weekly report exists, is off unless a team turns it on, and starts a report job (a preview only).
    rules = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Events::Rule"
             and "weekly status report" in r["Properties"].get("Description", "")]
    assert len(rules) == 1 and rules[0]["State"] == "DISABLED", rules
    assert json.loads(rules[0]["Targets"][0]["Input"]) == {
        "kind": "report", "args": {"report_kind": "weekly_project", "range": "last week"}}
    # Report confirms are idempotent through their own table.
    assert any(r["Type"] == "AWS::DynamoDB::Table" and r["Properties"].get("TimeToLiveSpecification", {}).get(
        "AttributeName") == "expiration" for r in resources.values())
