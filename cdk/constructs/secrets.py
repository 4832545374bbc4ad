"""One Secrets Manager secret per source: {"base_url": ..., "token": ...}."""
from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as sm
from constructs import Construct

from cdk.config import SourceSecret


class SourceSecrets(Construct):
    def __init__(self, scope: Construct, id: str, *, sources: tuple[SourceSecret, ...]) -> None:
        super().__init__(scope, id)
        self.secrets: dict[str, sm.Secret] = {}
        for source in sources:
            if source.token is not None:
                # LocalStack only: the value comes from .env (defaults: the local simulators' tokens).
                value = cdk.SecretValue.unsafe_plain_text(
                    json.dumps({"base_url": source.base_url, "token": source.token, **dict(source.extra)}))
                secret = sm.Secret(self, source.name.capitalize(), secret_string_value=value,
                                   description=f"teamlens {source.name} credentials")
            else:
                # AWS: a placeholder token; put the real one with `aws secretsmanager put-secret-value`.
                secret = sm.Secret(
                    self,
                    source.name.capitalize(),
                    description=f"teamlens {source.name} credentials (set the token out of band)",
                    generate_secret_string=sm.SecretStringGenerator(
                        secret_string_template=json.dumps({"base_url": source.base_url}),
                        generate_string_key="token",
                    ),
                )
            self.secrets[source.name] = secret

    def grant_read(self, grantee: iam.IGrantable) -> None:
        """Lets grantee read every source's secret (the functions that call Slack, GitLab or Backlog)."""
        for secret in self.secrets.values():
            secret.grant_read(grantee)
