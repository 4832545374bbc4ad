"""A Lambda built from `functions/<name>/` with the project's layers and common settings."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@dataclass(frozen=True)
class VpcPlacement:
    """AWS only: the private subnets and security group of a function that calls the sidecar services."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup

    def function_props(self) -> dict:
        return {"vpc": self.vpc, "vpc_subnets": self.subnets, "security_groups": [self.security_group]}


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
        network: VpcPlacement | None = None,
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
            **(network.function_props() if network else {}),
        )
