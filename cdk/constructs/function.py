"""A Lambda built from `functions/<name>/` with the project's layers and common settings."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


class TeamlensFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        runtime: lambda_.Runtime,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        timeout: cdk.Duration = cdk.Duration.seconds(29),
        memory_size: int = 512,
    ) -> None:
        super().__init__(scope, id)
        source = FUNCTIONS / name
        if not (source / "handler.py").exists():
            raise FileNotFoundError(f"{source}/handler.py is missing")
        self.log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.TWO_WEEKS,
                                       removal_policy=cdk.RemovalPolicy.DESTROY)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=runtime,
            handler="handler.handler",
            code=lambda_.Code.from_asset(str(source), exclude=["**/__pycache__", "**/*.pyc"]),
            layers=list(layers),
            timeout=timeout,
            memory_size=memory_size,
            environment={"POWERTOOLS_SERVICE_NAME": f"teamlens-{name}", **environment},
            log_group=self.log_group,
        )
