"""Startup hook that makes the running LocalStack prove which Lambda executor it will use.

LocalStack falls back to Docker, with only a warning, when LAMBDA_RUNTIME_EXECUTOR names an unknown plugin.
This hook runs LocalStack's own lookup before the gateway accepts requests and prints one line the launcher
checks (devstack.lambda_runtimes.executor_active): ACTIVE, or NOT ACTIVE with the reason.
"""

from __future__ import annotations

import logging
import os

from localstack.runtime import hooks

from teamlens_lambda_executor.plugin import EXECUTOR_NAME

LOG = logging.getLogger("teamlens_lambda_executor")

ACTIVE_MARKER = "teamlens-lambda-executor: ACTIVE"  # devstack/lambda_runtimes.py matches these two strings
INACTIVE_MARKER = "teamlens-lambda-executor: NOT ACTIVE"


@hooks.on_infra_start()
def teamlens_lambda_executor_check() -> None:
    from localstack import config

    if (config.LAMBDA_RUNTIME_EXECUTOR or "") != EXECUTOR_NAME:
        # Installed but not selected (e.g. someone runs LocalStack with Docker on purpose): say so, quietly.
        _announce(f"{INACTIVE_MARKER} (LAMBDA_RUNTIME_EXECUTOR={config.LAMBDA_RUNTIME_EXECUTOR!r})")
        return
    try:
        from localstack.services.lambda_.invocation.runtime_executor import get_runtime_executor

        from teamlens_lambda_executor.executor import ProcessRuntimeExecutor, work_root
        from teamlens_lambda_executor.launch import VENVS_ENV

        resolved = get_runtime_executor()
        if resolved is not ProcessRuntimeExecutor:
            _fail(f"LocalStack resolved {EXECUTOR_NAME!r} to {resolved}")
        elif not ProcessRuntimeExecutor.validate_environment():
            _fail("Lambda runtime venvs missing (see the warnings above)")
        else:
            _announce(
                f"{ACTIVE_MARKER} (Lambda functions run as local processes; runtimes from "
                f"{VENVS_ENV}={os.environ.get(VENVS_ENV)}; scratch in {work_root()})"
            )
    except Exception as e:  # a broken check must not take LocalStack down; it must be visible though
        LOG.exception("startup check of the process Lambda executor failed")
        _fail(f"startup check failed: {e}")


def _fail(reason: str) -> None:
    LOG.error("Lambda functions will not run: %s", reason)
    _announce(f"{INACTIVE_MARKER}: {reason}")


def _announce(line: str) -> None:
    # Printed rather than logged: the launcher looks for it, so it must appear whatever LS_LOG says
    # (LocalStack prints its own "Ready." marker the same way).
    print(line, flush=True)
