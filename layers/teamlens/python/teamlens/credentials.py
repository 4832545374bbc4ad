"""Source credentials from Secrets Manager. The token is a SecretStr: it never prints or logs."""
from __future__ import annotations

import json

from aws_lambda_powertools.utilities.parameters import get_secret
from pydantic import BaseModel, SecretStr, ValidationError


class SourceCredentials(BaseModel):
    base_url: str
    token: SecretStr
    # Inbound webhooks: Slack's signing secret, GitLab's webhook secret token (optional per deployment).
    signing_secret: SecretStr | None = None
    webhook_token: SecretStr | None = None


class CredentialsError(RuntimeError):
    pass


def parse_credentials(source: str, raw: str) -> SourceCredentials:
    try:
        return SourceCredentials.model_validate(json.loads(raw))
    except (json.JSONDecodeError, ValidationError) as exc:
        # The message names the source and the problem, never the secret's value.
        fields = ", ".join(str(e["loc"][0]) for e in exc.errors()) if isinstance(exc, ValidationError) else "JSON"
        raise CredentialsError(f"{source} secret is malformed ({fields}): expected {{base_url, token}}") from None


def load_credentials(source: str, secret_arn: str) -> SourceCredentials:
    """Read a source's secret fresh: a fetch run is infrequent, and a rotated token applies at once."""
    return parse_credentials(source, get_secret(secret_arn, force_fetch=True))
