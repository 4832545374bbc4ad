"""How to start one runtime process for a function: interpreter, argv, working directory and environment.

Nothing lives at /opt or /var/task here: the code runs from LocalStack's unpacked copy, and layers are put on
PYTHONPATH (and their bin/ and lib/ on PATH / LD_LIBRARY_PATH) in the order AWS would overlay them in /opt.
Stdlib only, so it can be tested without LocalStack.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

SUPPORTED_RUNTIMES = ("python3.12", "python3.13")
VENVS_ENV = (
    "TEAMLENS_LAMBDA_VENVS"  # folder holding lambda-python3.12/, lambda-python3.13/ (set by the launcher)
)
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


class LaunchError(Exception):
    """The function cannot run with this executor; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class LaunchSpec:
    argv: list[str]
    cwd: Path
    env: dict[str, str]


def runtime_python(runtime: str | None) -> Path:
    """The interpreter of the venv behind a Lambda runtime; LaunchError if unsupported or missing."""
    if runtime not in SUPPORTED_RUNTIMES:
        raise LaunchError(
            f"runtime {runtime!r} is not supported by the local process executor; "
            f"use one of {', '.join(SUPPORTED_RUNTIMES)} (container images are not supported either)"
        )
    if not os.environ.get(VENVS_ENV):
        raise LaunchError(
            f"{VENVS_ENV} is not set in LocalStack's environment; start LocalStack with the variables from "
            f"devstack.lambda_runtimes.executor_env()"
        )
    python = Path(os.environ[VENVS_ENV]) / f"lambda-{runtime}" / "bin" / "python"
    if not python.exists():
        raise LaunchError(
            f"no {runtime} runtime venv at {python.parent.parent} ({VENVS_ENV}={os.environ[VENVS_ENV]!r}); "
            f"build it with devstack.lambda_runtimes.ensure_runtime_venvs() and restart LocalStack with "
            f"devstack.lambda_runtimes.executor_env()"
        )
    return python


def layer_paths(layer_dirs: list[Path], runtime: str) -> tuple[list[Path], list[Path], list[Path]]:
    """(python path, bin path, library path) entries for unpacked layers, highest precedence first.

    AWS extracts layers into /opt in order, later ones overwriting earlier ones, so the last layer wins.
    Python layers use python/ and python/lib/<runtime>/site-packages/ (the latter first, as in Lambda).
    """
    python_path: list[Path] = []
    bin_path: list[Path] = []
    lib_path: list[Path] = []
    for layer in reversed(layer_dirs):
        for candidate in (layer / "python" / "lib" / runtime / "site-packages", layer / "python"):
            if candidate.is_dir():
                python_path.append(candidate)
        if (layer / "bin").is_dir():
            bin_path.append(layer / "bin")
        if (layer / "lib").is_dir():
            lib_path.append(layer / "lib")
    return python_path, bin_path, lib_path


def build_launch(
    *,
    runtime: str,
    handler: str,
    code_dir: Path,
    layer_dirs: list[Path],
    lambda_env: dict[str, object],
    runtime_api_port: int,
    scratch_dir: Path,
) -> LaunchSpec:
    """Argv, cwd and environment for `python -m awslambdaric <handler>`.

    `lambda_env` is what LocalStack computed for the environment (AWS_* variables, credentials,
    AWS_ENDPOINT_URL pointing at LocalStack, and the function's own variables, which win there).
    `scratch_dir` becomes HOME and TMPDIR: per environment, deleted with it, and it keeps a developer's
    ~/.aws/config away from the function.
    """
    python = runtime_python(runtime)
    venv = python.parent.parent
    py_path, bin_path, lib_path = layer_paths(layer_dirs, runtime)

    env: dict[str, str] = {
        "PATH": os.pathsep.join([str(python.parent), *map(str, bin_path), _SYSTEM_PATH]),
        "LANG": "C.UTF-8",
        "HOME": str(scratch_dir),
        "TMPDIR": str(scratch_dir),
        # Output reaches the log before the reply, so it lands in this invocation's logs.
        "PYTHONUNBUFFERED": "1",
    }
    if lib_path:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(map(str, lib_path))
    env.update({k: str(v) for k, v in lambda_env.items() if v is not None})

    # Layers extend a PYTHONPATH the function sets itself instead of replacing it.
    if py_path:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(p) for p in [lambda_env.get("PYTHONPATH")] if p] + [str(p) for p in py_path]
        )

    # Reserved by Lambda: these win over the function's configuration.
    env.update(
        {
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{runtime_api_port}",
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(venv),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
            "_HANDLER": handler,
        }
    )
    # `python -m` puts the working directory (the code) first on sys.path, like /var/task in Lambda.
    env.pop("PYTHONSAFEPATH", None)
    # Set for Lambda Managed Instances; it switches awslambdaric to a multi-process mode this executor does
    # not serve. LocalStack sends one invocation at a time per environment anyway.
    env.pop("AWS_LAMBDA_MAX_CONCURRENCY", None)
    return LaunchSpec(argv=[str(python), "-m", "awslambdaric", handler], cwd=code_dir, env=env)
