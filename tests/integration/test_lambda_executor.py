"""The process Lambda executor (devstack/lambda_executor) against a live LocalStack started by the launcher.

Functions are created from the tiny handlers in lambda_fixtures/ and invoked through the Lambda API, so
each test goes through LocalStack's own invoke path (sync, async, logs) into our executor.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

FIXTURES = Path(__file__).resolve().parent / "lambda_fixtures"
ROLE = "arn:aws:iam::000000000000:role/lambda-executor-test"
RUNTIMES = ["python3.12", "python3.13"]


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Functions:
    """Creates test functions and deletes them at the end (which also stops their runtime processes)."""

    def __init__(self, lam: Any) -> None:
        self.lam = lam
        self.names: list[str] = []

    def create(
        self,
        fixture: str,
        *,
        runtime: str = "python3.12",
        timeout: int = 10,
        layers: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        name = _unique(f"exec-{fixture}-{runtime.replace('.', '')}")
        self.lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": _zip(FIXTURES / fixture)},
            Timeout=timeout,
            MemorySize=256,
            Layers=layers or [],
            Environment={"Variables": env or {}},
        )
        self.names.append(name)
        self.lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        return name

    def delete_all(self) -> None:
        for name in self.names:
            with contextlib.suppress(Exception):  # cleanup must not hide the test's own failure
                self.lam.delete_function(FunctionName=name)


@pytest.fixture(scope="module")
def lam(aws: Callable[[str], Any]) -> Any:
    return aws("lambda")


@pytest.fixture(scope="module")
def functions(lam: Any) -> Iterator[Functions]:
    made = Functions(lam)
    yield made
    made.delete_all()


@pytest.fixture(scope="module")
def layer_arn(lam: Any) -> str:
    return lam.publish_layer_version(
        LayerName=_unique("exec-fixture-layer"),
        Content={"ZipFile": _zip(FIXTURES / "layer")},
        CompatibleRuntimes=RUNTIMES,
    )["LayerVersionArn"]


@pytest.fixture(scope="module")
def echo_functions(functions: Functions, layer_arn: str) -> dict[str, str]:
    """One function per runtime, with an env var and the fixture layer."""
    return {
        rt: functions.create("handler", runtime=rt, layers=[layer_arn], env={"TEAMLENS_FIXTURE": "hello"})
        for rt in RUNTIMES
    }


def invoke(lam: Any, name: str, event: dict[str, Any], **kwargs: Any) -> tuple[str | None, Any]:
    """(FunctionError, decoded payload) of a synchronous invoke."""
    resp = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    body = resp["Payload"].read()
    return resp.get("FunctionError"), json.loads(body) if body else None


def wait_for_log(logs: Any, function: str, needle: str, timeout: float = 30.0) -> str:
    """All of the function's CloudWatch log text once it contains `needle` (LocalStack ships logs async)."""
    group = f"/aws/lambda/{function}"
    text = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        text = "".join(e["message"] for e in events)
        if needle in text:
            return text
        time.sleep(0.5)
    raise AssertionError(
        f"{needle!r} not in CloudWatch logs of {function} after {timeout}s; got:\n{text[-3000:]}"
    )


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_sync_invoke_returns_the_handler_result(lam, echo_functions, runtime):
    error, body = invoke(lam, echo_functions[runtime], {"action": "echo", "n": 7})
    assert error is None, body
    assert body["event"] == {"action": "echo", "n": 7}
    assert body["python"] == runtime.removeprefix("python")
    assert body["function"] == echo_functions[runtime]
    assert 0 < body["remaining_ms"] <= 10_000


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_function_sees_its_variables_and_can_reach_localstack(lam, echo_functions, runtime, localstack):
    names = [
        "TEAMLENS_FIXTURE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "_HANDLER",
        "LAMBDA_TASK_ROOT",
        "AWS_EXECUTION_ENV",
    ]
    error, env = invoke(lam, echo_functions[runtime], {"action": "env", "names": names})
    assert error is None, env
    assert env["TEAMLENS_FIXTURE"] == "hello"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == echo_functions[runtime]
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_REGION"] == "ap-southeast-1"
    assert env["AWS_ENDPOINT_URL"] == localstack.endpoint  # boto3 in the function talks to this LocalStack
    assert env["AWS_ACCESS_KEY_ID"]
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_EXECUTION_ENV"] == f"AWS_Lambda_{runtime}"
    assert Path(env["LAMBDA_TASK_ROOT"], "app.py").is_file()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_layer_module_is_importable(lam, echo_functions, runtime):
    error, body = invoke(lam, echo_functions[runtime], {"action": "layer"})
    assert error is None, body
    assert body["layer"] == "from-the-layer"


def test_async_invoke_runs_and_its_output_reaches_cloudwatch(lam, aws, functions):
    s3, logs = aws("s3"), aws("logs")
    bucket = _unique("exec-async")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    name = functions.create("handler")
    key = f"async/{uuid.uuid4().hex}.json"

    resp = lam.invoke(
        FunctionName=name,
        InvocationType="Event",
        Payload=json.dumps({"action": "s3_put", "bucket": bucket, "key": key}).encode(),
    )
    assert resp["StatusCode"] == 202

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="async/").get("Contents", [])
        if listed:
            break
        time.sleep(0.3)
    assert [o["Key"] for o in listed] == [key], "the async invocation never wrote its object to S3"
    text = wait_for_log(logs, name, "fixture action=s3_put")
    assert "REPORT RequestId:" in text


def test_handler_exception_returns_error_with_stack_trace_and_logs_it(lam, aws, echo_functions):
    name = echo_functions["python3.12"]
    message = f"boom-{uuid.uuid4().hex[:6]}"
    error, body = invoke(lam, name, {"action": "raise", "message": message})
    assert error == "Unhandled"
    assert body["errorType"] == "RuntimeError"
    assert body["errorMessage"] == message
    assert any("_fail" in frame for frame in body["stackTrace"]), body["stackTrace"]

    text = wait_for_log(aws("logs"), name, message)
    assert f"[ERROR] RuntimeError: {message}" in text
    assert "Traceback (most recent call last):" in text
    assert "raise RuntimeError(message)" in text
    # The environment survives a handled error.
    assert invoke(lam, name, {"action": "echo"})[0] is None


def test_import_error_is_reported_as_init_error_every_time(lam, aws, functions):
    name = functions.create("broken")
    for _ in range(2):  # AWS retries init on the next invoke; it must fail the same way, not hang
        error, body = invoke(lam, name, {})
        assert error == "Unhandled"
        assert body["errorType"] == "Runtime.ImportModuleError"
        assert "teamlens_module_that_does_not_exist" in body["errorMessage"]
    wait_for_log(aws("logs"), name, "Runtime.ImportModuleError")


def test_timeout_is_reported_and_the_next_invoke_works(lam, functions):
    name = functions.create("handler", timeout=1)
    started = time.monotonic()
    error, body = invoke(lam, name, {"action": "sleep", "seconds": 5})
    elapsed = time.monotonic() - started
    assert error == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    assert elapsed < 4, f"the timed-out invoke took {elapsed:.1f}s: the process was not killed at the timeout"

    error, body = invoke(lam, name, {"action": "echo"})
    assert error is None, body


def test_crashed_runtime_is_reported_and_replaced(lam, functions):
    name = functions.create("handler")
    error, body = invoke(lam, name, {"action": "crash"})
    assert error == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert "exit status 1" in body["errorMessage"]

    error, body = invoke(lam, name, {"action": "echo"})
    assert error is None, body


def test_four_concurrent_invokes_run_in_parallel(lam, functions):
    name = functions.create("handler")
    seconds = 1.5

    def sleep_once(_: int) -> dict[str, Any]:
        error, body = invoke(lam, name, {"action": "sleep", "seconds": seconds})
        assert error is None, body
        return body

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(sleep_once, range(4)))
    elapsed = time.monotonic() - started
    assert len({r["pid"] for r in results}) == 4, "expected four execution environments (processes)"
    assert elapsed < 2.5 * seconds, (
        f"4 x {seconds}s invokes took {elapsed:.1f}s: they did not run in parallel"
    )


def test_environments_started_together_share_one_init(lam, functions):
    """A burst of cold starts runs the (slow) init once, in the version's template, and forks from it."""
    name = functions.create("slow_init")
    n, hold = 4, 1.0  # each invoke holds its environment, so the four need four environments

    def once(_: int) -> dict[str, Any]:
        error, body = invoke(lam, name, {"seconds": hold})
        assert error is None, body
        return body

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(once, range(n)))
    assert len({r["pid"] for r in results}) == n, "expected four execution environments (processes)"
    assert len({r["init_pid"] for r in results}) == 1, "the init ran more than once"
    assert all(r["init_pid"] != r["pid"] for r in results), "an environment ran the init itself"
    # Each environment has its own identity and module state, though the init was shared.
    assert len({r["stream"] for r in results}) == n
    assert len({r["runtime_api"] for r in results}) == n
    assert len({r["tmpdir"] for r in results}) == n
    assert all(r["invocations"] == 1 for r in results)
    assert all(r["cwd"] == results[0]["cwd"] for r in results)


def test_function_whose_init_leaves_a_thread_runs_as_plain_processes(lam, functions):
    name = functions.create("threaded_init")
    error, body = invoke(lam, name, {})
    assert error is None, body
    assert body["init_pid"] == body["pid"], "a process with a running thread was forked"
    assert body["threads"] == 2


def test_update_gives_new_environments_from_a_new_init(lam, functions):
    """A configuration update is a new version: its environments fork from a template of the new code."""
    name = functions.create("slow_init", env={"TEAMLENS_FIXTURE": "one"})
    error, first = invoke(lam, name, {})
    assert error is None, first
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"TEAMLENS_FIXTURE": "two"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    error, second = invoke(lam, name, {})
    assert error is None, second
    assert second["init_pid"] != first["init_pid"]
    assert second["invocations"] == 1
