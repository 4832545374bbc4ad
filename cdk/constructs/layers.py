"""Lambda layers: the project's own library and the third-party dependencies (built with pip, no Docker)."""
from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk.layer_build import build_dependencies_layer

ROOT = Path(__file__).resolve().parents[2]


class Layers(Construct):
    def __init__(self, scope: Construct, id: str, *, runtime: lambda_.Runtime) -> None:
        super().__init__(scope, id)
        self.library = lambda_.LayerVersion(
            self,
            "Library",
            code=lambda_.Code.from_asset(str(ROOT / "layers" / "teamlens"),
                                         exclude=["**/__pycache__", "**/*.pyc"]),
            compatible_runtimes=[runtime],
            description="teamlens library: connectors, chunking, retrieval, agents, prompts, storage",
        )
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(str(build_dependencies_layer(runtime.name))),
            compatible_runtimes=[runtime],
            description="third-party dependencies (requirements/lambda.txt)",
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        return [self.dependencies, self.library]
