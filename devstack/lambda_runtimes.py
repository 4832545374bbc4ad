"""Lambda without Docker: runtime venvs and the LocalStack executor plugin that runs functions as processes.

LocalStack picks its Lambda runtime executor by `LAMBDA_RUNTIME_EXECUTOR=<name>` and silently falls back to
Docker for a name it does not know, so the launcher must (1) build the runtime venvs, (2) install the plugin
into LocalStack's venv, (3) start LocalStack with `executor_env()`, and (4) check with `verify_plugin()`
before the start and `executor_active()` on the log after it.

Stdlib only: this runs under the launcher's Python 3.11, not in the venvs it builds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from devstack import paths
from devstack.config import setting
from devstack.processes import DevstackError, run
from devstack.venvs import MARKER, ensure_venv, fingerprint, pyenv_python

EXECUTOR_NAME = "process"
"""Value of LAMBDA_RUNTIME_EXECUTOR; the plux plugin name registered by devstack/lambda_executor."""

PLUGIN_DIR = paths.ROOT / "devstack" / "lambda_executor"
PLUGIN_DIST = "teamlens-lambda-executor"
REQUIREMENTS = paths.ROOT / "devstack" / "lambda-runtime-requirements.txt"

# Lambda runtime name -> pyenv interpreter version that backs it.
RUNTIME_INTERPRETERS: dict[str, str] = {"python3.12": "3.12.1", "python3.13": "3.13.0"}

# Log lines written by the plugin's startup hook (teamlens_lambda_executor.startup_check); keep in sync.
ACTIVE_MARKER = "teamlens-lambda-executor: ACTIVE"
INACTIVE_MARKER = "teamlens-lambda-executor: NOT ACTIVE"

_PLUGIN_MARKER = (
    ".teamlens-lambda-executor.sha256"  # in the LocalStack venv: hash of the installed plugin source
)


def runtime_venv(runtime: str) -> Path:
    """Where the venv for a Lambda runtime (e.g. "python3.12") lives."""
    return paths.VENVS / f"lambda-{runtime}"


def ensure_runtime_venvs() -> dict[str, Path]:
    """Build (or reuse) one venv per Lambda runtime with awslambdaric + boto3; returns runtime -> venv dir.

    Idempotent: a venv whose marker matches the requirements and interpreter is reused without running pip.
    A venv without a marker was interrupted mid-build and is rebuilt from scratch.
    """
    paths.ensure_dirs()
    venvs: dict[str, Path] = {}
    # Venvs are shared by every stack instance (`make up` and the tests): never build one twice at once.
    with _build_lock("lambda-runtimes"):
        for runtime in RUNTIME_INTERPRETERS:
            venvs[runtime] = _ensure_runtime_venv(runtime)
    return venvs


def install_plugin(localstack_venv: Path) -> None:
    """pip-install the executor plugin into LocalStack's venv; a no-op when its source is unchanged."""
    python = localstack_venv / "bin" / "python"
    if not python.exists():
        raise DevstackError(f"LocalStack venv {localstack_venv} has no bin/python; install LocalStack first")
    marker = localstack_venv / _PLUGIN_MARKER
    wanted = _plugin_source_hash()
    with _build_lock("lambda-executor-plugin"):
        if _read(marker) == wanted and _dist_installed(localstack_venv):
            return
        print(f"installing the Lambda process executor plugin into {localstack_venv} ...", flush=True)
        argv = [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--force-reinstall",
        ]
        # Build with the venv's own setuptools when it has one: no index access needed, and faster.
        if _has_module(python, "setuptools"):
            argv.append("--no-build-isolation")
        # Build in a scratch copy so no build/ or *.egg-info folders land in the repository.
        scratch = paths.BUILD / "lambda_executor"
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(
            PLUGIN_DIR, scratch, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
        )
        try:
            run([*argv, str(scratch)], what="pip install of the Lambda executor plugin")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        marker.write_text(wanted)


def executor_env(venvs: dict[str, Path] | None = None) -> dict[str, str]:
    """Environment variables LocalStack must be started with so Lambdas run through the process executor.

    `venvs` is what ensure_runtime_venvs() returned; by default the standard locations are used.
    """
    venv_root = paths.VENVS
    if venvs:
        parents = {p.parent for p in venvs.values()}
        if len(parents) != 1:
            raise DevstackError(
                f"runtime venvs must share one parent folder, got {sorted(map(str, parents))}"
            )
        venv_root = parents.pop()
    return {
        "LAMBDA_RUNTIME_EXECUTOR": EXECUTOR_NAME,
        # The plugin runs <dir>/lambda-python3.12/bin/python etc.
        "TEAMLENS_LAMBDA_VENVS": str(venv_root),
        # Environments fork from an initialised template per function version; "off" starts each one as
        # a plain process (teamlens_lambda_executor.templates).
        "TEAMLENS_LAMBDA_FORK": setting("TEAMLENS_LAMBDA_FORK", "on"),
    }


def verify_plugin(localstack_python: Path) -> None:
    """Fail with a clear message unless plux in that interpreter resolves `process` to our executor class.

    Runs LocalStack's own lookup (the one that silently falls back to Docker), with the same variable set.
    """
    probe = (
        "import os, sys\n"
        "os.environ['LAMBDA_RUNTIME_EXECUTOR'] = sys.argv[1]\n"
        "from localstack.services.lambda_.invocation.runtime_executor import "
        "EXECUTOR_PLUGIN_MANAGER, get_runtime_executor\n"
        "if not EXECUTOR_PLUGIN_MANAGER.exists(sys.argv[1]):\n"
        "    known = ', '.join(EXECUTOR_PLUGIN_MANAGER.list_names())\n"
        "    print('plugin not found; known: ' + known); sys.exit(3)\n"
        "cls = get_runtime_executor()\n"
        "print(cls.__module__ + '.' + cls.__qualname__)\n"
        "sys.exit(0 if cls.__module__.startswith('teamlens_lambda_executor') else 4)\n"
    )
    env = {**os.environ, "LAMBDA_RUNTIME_EXECUTOR": EXECUTOR_NAME}
    try:
        proc = subprocess.run(
            [str(localstack_python), "-c", probe, EXECUTOR_NAME],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DevstackError(
            f"could not run {localstack_python} to check the Lambda executor plugin: {exc}"
        ) from exc
    if proc.returncode != 0:
        detail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        raise DevstackError(
            f"LocalStack in {localstack_python.parent.parent} cannot load the Lambda executor "
            f"'{EXECUTOR_NAME}' (it would silently use Docker and every Lambda would fail):\n{detail}\n"
            f"Reinstall it with devstack.lambda_runtimes.install_plugin(), or delete "
            f"{localstack_python.parent.parent / _PLUGIN_MARKER} and start again."
        )


def executor_active(log_text: str) -> bool:
    """True when a running LocalStack's log proves the process executor is the one it will use.

    The plugin prints ACTIVE_MARKER from an on_infra_start hook, i.e. before the gateway accepts requests:
    once /_localstack/health answers, the line is in the log (or INACTIVE_MARKER, with the reason).
    """
    last = max(log_text.rfind(ACTIVE_MARKER), log_text.rfind(INACTIVE_MARKER))
    return last >= 0 and log_text.startswith(ACTIVE_MARKER, last)


# --- runtime venvs ------------------------------------------------------------------------------------------


def _ensure_runtime_venv(runtime: str) -> Path:
    venv = runtime_venv(runtime)
    interpreter = pyenv_python(RUNTIME_INTERPRETERS[runtime])
    built = ensure_venv(
        venv,
        interpreter,
        ["-r", str(REQUIREMENTS)],
        fingerprint_value=fingerprint(REQUIREMENTS, str(interpreter)),
        what=f"{runtime} Lambda runtime",
    )
    if built:
        try:  # prove the venv can run a function before trusting it next time
            run(
                [str(venv / "bin" / "python"), "-c", "import awslambdaric.bootstrap, runtime_client, boto3"],
                what=f"checking the {runtime} Lambda runtime venv",
            )
        except DevstackError:
            (venv / MARKER).unlink(missing_ok=True)  # rebuilt on the next run
            raise
    return venv


# --- plugin install -----------------------------------------------------------------------------------------


def _plugin_source_hash() -> str:
    h = hashlib.sha256()
    for f in sorted(_plugin_source_files()):
        h.update(str(f.relative_to(PLUGIN_DIR)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _plugin_source_files() -> Iterator[Path]:
    yield PLUGIN_DIR / "pyproject.toml"
    for f in (PLUGIN_DIR / "teamlens_lambda_executor").rglob("*.py"):
        if "__pycache__" not in f.parts:
            yield f


def _dist_installed(venv: Path) -> bool:
    pattern = PLUGIN_DIST.replace("-", "_") + "-*.dist-info"
    return any((venv / "lib").glob(f"python*/site-packages/{pattern}"))


def _has_module(python: Path, module: str) -> bool:
    probe = subprocess.run([str(python), "-c", f"import {module}"], check=False, capture_output=True,
                           timeout=60)
    return probe.returncode == 0


# --- helpers ------------------------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


@contextlib.contextmanager
def _build_lock(name: str) -> Iterator[None]:
    """Serialize builds between launchers started at the same time (e.g. `make up` and a test run)."""
    paths.ensure_dirs()
    lock_path = paths.INSTALL / f".{name}.lock"
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


if __name__ == "__main__":  # manual use: python -m devstack.lambda_runtimes [localstack-venv]
    built = ensure_runtime_venvs()
    for name, where in built.items():
        print(f"{name}: {where}")
    if len(sys.argv) > 1:
        ls_venv = Path(sys.argv[1])
        install_plugin(ls_venv)
        verify_plugin(ls_venv / "bin" / "python")
        print(f"plugin '{EXECUTOR_NAME}' verified in {ls_venv}")
