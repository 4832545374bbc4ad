"""plux entry point: LAMBDA_RUNTIME_EXECUTOR=process makes LocalStack load ProcessRuntimeExecutor."""

from __future__ import annotations

from typing import Any

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin

EXECUTOR_NAME = "process"


class ProcessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = EXECUTOR_NAME

    def load(self, *args: Any, **kwargs: Any) -> type:
        # Imported lazily, like LocalStack's own Docker plugin: discovery must stay cheap.
        from teamlens_lambda_executor.executor import ProcessRuntimeExecutor

        return ProcessRuntimeExecutor
