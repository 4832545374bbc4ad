"""LocalStack in host mode: install (own Python 3.13 venv), start as a background process, stop by pid."""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
import urllib.request
from pathlib import Path

from devstack import dynamodb_offline, lambda_runtimes, paths
from devstack.processes import DevstackError, Service, http_ok, log_tail, start, stop, wait_until
from devstack.venvs import ensure_venv, fingerprint, pyenv_python

VERSION = "2026.3.0"
PYTHON = "3.13.0"
CONSTRAINTS = Path(__file__).with_name("localstack-constraints.txt")
VENV = paths.VENVS / "localstack"
SERVICE = Service("localstack")
# Services the stack uses; loading only these keeps LocalStack's memory down.
SERVICES = ("s3,dynamodb,dynamodbstreams,kinesis,secretsmanager,lambda,apigateway,stepfunctions,events,"
            "scheduler,logs,iam,sts,cloudformation,ssm,sqs")


def python() -> Path:
    return VENV / "bin" / "python"


def ensure_installed() -> None:
    ensure_venv(
        VENV,
        pyenv_python(PYTHON),
        ["-c", str(CONSTRAINTS), f"localstack-core[runtime]=={VERSION}"],
        fingerprint_value=fingerprint(VERSION, CONSTRAINTS),
        what=f"LocalStack {VERSION}",
    )
    lambda_runtimes.ensure_runtime_venvs()
    lambda_runtimes.install_plugin(VENV)
    lambda_runtimes.verify_plugin(python())


def instance_dir() -> Path:
    return paths.STATE / "localstack"


def endpoint(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"{endpoint(port)}/_localstack/health", timeout=2) as resp:
            return json.loads(resp.read())
    except (OSError, ValueError):
        return None


def running(port: int) -> bool:
    return SERVICE.pid() is not None and health(port) is not None


def start_localstack(port: int) -> None:
    """Start LocalStack with a fresh in-memory state (community LocalStack does not persist)."""
    root = instance_dir()
    kill_orphans(root)
    if root.exists():
        shutil.rmtree(root)  # its data died with the last process; stale S3 temp files would leak in
    fs_root, tmp = root / "fs", root / "tmp"
    tmp.mkdir(parents=True)
    dynamodb_offline.seed(fs_root)
    env = {
        **_base_env(),
        "OVERRIDE_IN_DOCKER": "0",  # else LocalStack thinks it is in a container: wrong dirs, binds 0.0.0.0
        "FILESYSTEM_ROOT": str(fs_root),
        "TMPDIR": str(tmp),  # its S3 store lives in the temp dir: keep instances apart
        # DynamoDB Local's JVM ignores TMPDIR and would leave a native sqlite library in /tmp per start.
        "JAVA_TOOL_OPTIONS": f"-Djava.io.tmpdir={tmp}",
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DISABLE_EVENTS": "1",
        "DNS_ADDRESS": "0",
        "SERVICES": SERVICES,
        "DYNAMODB_IN_MEMORY": "1",
        "KINESIS_LATENCY": "0",  # with the default 500 ms the first stream record after CreateTable is lost
        "CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES": "1",
        "LAMBDA_KEEPALIVE_MS": "600000",
        # An environment counts as started once its init (the handler's imports) is done. A burst of cold
        # starts shares 2 cores here, where AWS gives each environment its own CPU: 20 plain processes at
        # once (a function whose init cannot be forked from a template) take ~30 s, past LocalStack's 20 s
        # default, and a timed-out start is retried, which makes the burst worse.
        "LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT": "90",
        **lambda_runtimes.executor_env(),
    }
    start(SERVICE, [str(python()), "-m", "localstack.runtime.main"], env=env, cwd=root, port=port,
          extra={"endpoint": endpoint(port)})
    wait_until(SERVICE, lambda: http_ok(f"{endpoint(port)}/_localstack/health"), timeout=90,
               what="GET /_localstack/health")


def kill_orphans(root: Path) -> list[int]:
    """Kill what a crashed LocalStack of this instance left running: DynamoDB Local's JVM runs in its own
    process group and outlives a killed LocalStack, holding memory and its files in the instance folder."""
    killed = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(root) in cmdline and int(proc.name) != os.getpid():
            try:
                os.kill(int(proc.name), signal.SIGKILL)
                killed.append(int(proc.name))
            except OSError:
                pass
    return killed


def stop_localstack() -> bool:
    stopped = stop(SERVICE)
    kill_orphans(instance_dir())
    return stopped


def check_executor(port: int) -> None:
    """LocalStack silently falls back to Docker for an unknown executor: prove ours is the one in use."""
    deadline = time.time() + 10
    while time.time() < deadline:
        if lambda_runtimes.executor_active(_log_text()):
            return
        time.sleep(0.3)
    raise DevstackError(
        "LocalStack started but the teamlens process Lambda executor is not active (it would fall back to "
        f"Docker, which does not exist here). Log tail:\n{log_tail(SERVICE)}"
    )


def _log_text() -> str:
    try:
        return SERVICE.log_file.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "PYENV_ROOT", "USER")
    return {k: v for k, v in os.environ.items() if k in keep}
