"""Deploy the CDK app to LocalStack with cdklocal, recover from failed stacks, and record the outputs."""
from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from devstack import paths
from devstack.config import setting
from devstack.processes import DevstackError, run
from devstack.venvs import fingerprint

STACK_NAME = "Teamlens"
ACCOUNT = "000000000000"
STAGE_INPUTS = ("app.py", "cdk.json", "cdk", "functions", "layers", "requirements/lambda.txt", ".env")
GOOD = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"}


def region() -> str:
    return setting("AWS_DEFAULT_REGION", "ap-southeast-1")


def aws_env(endpoint: str) -> dict[str, str]:
    """Environment for cdklocal/awslocal/boto3 aimed at one LocalStack, with nothing phoning home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_S3": endpoint,  # cdklocal needs both: its default host names do not resolve
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": region(),
        "AWS_REGION": region(),
        "AWS_ENVAR_ALLOWLIST": "AWS_DEFAULT_REGION,AWS_REGION",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "CDK_DISABLE_CLI_TELEMETRY": "1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "DISABLE_DEPRECATION_NOTICE": "1",
        "PATH": f"{paths.ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        "TEAMLENS_API_KEY": api_key(),  # the CDK app sets it as the key's value (cdk/config.py)
    })
    return env


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name=region(), aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 3}, connect_timeout=5, read_timeout=60))


def cdklocal(args: list[str], endpoint: str, cwd: Path = paths.ROOT) -> str:
    exe = paths.ROOT / "node_modules" / ".bin" / "cdklocal"
    return run([str(exe), *args, "--no-notices"], env=aws_env(endpoint), cwd=cwd, what=f"cdklocal {args[0]}")


def api_key() -> str:
    """The stack instance's API key: TEAMLENS_API_KEY (environment or .env), else one generated on the first
    deploy and kept in the instance's state folder, so the key a client holds survives restarts."""
    configured = setting("TEAMLENS_API_KEY", "")
    if configured:
        return configured
    path = paths.STATE / "api-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(20) + "\n")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    return path.read_text().strip()


def stack_status(endpoint: str) -> str | None:
    try:
        stacks = client("cloudformation", endpoint).describe_stacks(StackName=STACK_NAME)["Stacks"]
    except ClientError:
        return None
    return stacks[0]["StackStatus"] if stacks else None


def context_args() -> list[str]:
    """CDK context for the local deploy. TEAMLENS_INGEST_SCHEDULE=off deploys the ingest schedule disabled
    (the test stack does: a scheduled run in the middle of a test would change what the test sees)."""
    args = ["-c", "teamlens:target=local"]
    schedule = os.environ.get("TEAMLENS_INGEST_SCHEDULE", "on").strip().lower()
    if schedule not in ("on", "off"):
        raise DevstackError(f"TEAMLENS_INGEST_SCHEDULE must be 'on' or 'off', got {schedule!r}")
    if schedule == "off":
        args += ["-c", "teamlens:ingestScheduleEnabled=false"]
    return args


def inputs_fingerprint() -> str:
    files: list[Path] = []
    for name in STAGE_INPUTS:
        p = paths.ROOT / name
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
        elif p.exists():
            files.append(p)
    return fingerprint(*[str(f.relative_to(paths.ROOT)) for f in files], *files, region(), *context_args(),
                       api_key())


def deploy(endpoint: str, *, force: bool = False) -> bool:
    """Deploy unless the same inputs are already deployed. Returns True when a deploy ran."""
    # Lives in LocalStack's instance folder, which is wiped when LocalStack (in-memory) restarts.
    marker = paths.STATE / "localstack" / "deployed.fingerprint"
    wanted = inputs_fingerprint()
    status = stack_status(endpoint)
    if not force and status in GOOD and marker.exists() and marker.read_text() == wanted:
        return False
    if status and status not in GOOD and not status.endswith("_IN_PROGRESS"):
        print(f"  the stack is in state {status} after a failed deploy: deleting it and deploying again",
              file=sys.stderr)
        _delete_stack(endpoint)
    marker.unlink(missing_ok=True)
    cdklocal(["bootstrap", f"aws://{ACCOUNT}/{region()}"], endpoint, cwd=paths.STATE)
    try:
        cdklocal(["deploy", STACK_NAME, "--require-approval", "never", *context_args(),
                  "--outputs-file", str(paths.STATE / "cdk-outputs.json")], endpoint)
    except DevstackError as exc:
        raise DevstackError(
            f"{exc}\nThe deploy failed. `make up` again deletes the failed stack and retries; if it keeps "
            "failing, `make down && make up` restarts LocalStack with a clean state."
        ) from None
    marker.write_text(wanted)
    return True


def _delete_stack(endpoint: str) -> None:
    cfn = client("cloudformation", endpoint)
    cfn.delete_stack(StackName=STACK_NAME)
    deadline = time.time() + 120
    while time.time() < deadline:
        status = stack_status(endpoint)
        if status in (None, "DELETE_COMPLETE"):
            return
        if status == "DELETE_FAILED":
            break
        time.sleep(1)
    raise DevstackError(
        "the failed stack could not be deleted (LocalStack keeps it wedged in memory): run "
        "`make down && make up` to restart LocalStack with a clean state"
    )


def outputs(endpoint: str) -> dict[str, str]:
    stack = client("cloudformation", endpoint).describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def stack_info(endpoint: str) -> dict[str, object]:
    """What clients need to find the deployed stack (written to .state/stack.json)."""
    out = outputs(endpoint)
    key = client("apigateway", endpoint).get_api_key(apiKey=out["ApiKeyId"], includeValue=True)["value"]
    return {
        "api_url": f"{endpoint}/_aws/execute-api/{out['ApiId']}/{out['ApiStage']}",
        "api_key": key,
        "endpoint": endpoint,
        "region": region(),
        "stack_name": STACK_NAME,
        "outputs": out,
    }


def retire_environments(endpoint: str, function_name: str) -> None:
    """Make the next invocations of a function start new environments, as a deploy does: a configuration
    change (a fresh variable) retires the running ones. Cold-start benches and tests start from here."""
    lam = client("lambda", endpoint)
    env = lam.get_function_configuration(FunctionName=function_name).get("Environment", {}).get("Variables", {})
    lam.update_function_configuration(FunctionName=function_name,
                                      Environment={"Variables": {**env, "TEAMLENS_RETIRED_AT": str(time.time())}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=function_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def ingested(endpoint: str) -> bool:
    """Whether this LocalStack has run an ingestion (each source's cursor lives in the state table)."""
    table = outputs(endpoint)["IngestionStateTable"]
    resp = client("dynamodb", endpoint).get_item(TableName=table, Key={"pk": {"S": "cursor#slack"},
                                                                      "sk": {"S": "cursor"}})
    return "Item" in resp


def write_stack_json(info: dict[str, object]) -> None:
    paths.STACK_JSON.parent.mkdir(parents=True, exist_ok=True)
    tmp = paths.STACK_JSON.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2) + "\n")
    os.chmod(tmp, 0o600)  # it holds the API key
    tmp.replace(paths.STACK_JSON)
