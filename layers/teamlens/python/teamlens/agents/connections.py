"""Source clients and the writing model for agents, built from the stack's secrets and settings."""
from __future__ import annotations

from teamlens.agents.errors import AgentError
from teamlens.credentials import CredentialsError, SourceCredentials, load_credentials
from teamlens.settings import settings


def credentials(source: str) -> SourceCredentials:
    arn = settings().secret_arns.get(source)
    if not arn:
        raise AgentError(f"{source} is not configured in this deployment (no {source.upper()}_SECRET_ARN)")
    try:
        return load_credentials(source, arn)
    except CredentialsError as exc:
        raise AgentError(str(exc)) from None


def slack():
    from teamlens.sources.slack import SlackSource, slack_client

    creds = credentials("slack")
    return SlackSource(slack_client(creds.base_url, creds.token))


def gitlab():
    from teamlens.sources.gitlab import GitLabSource, gitlab_client

    creds = credentials("gitlab")
    return GitLabSource(gitlab_client(creds.base_url, creds.token))


def backlog():
    from teamlens.sources.backlog import BacklogClient

    creds = credentials("backlog")
    return BacklogClient(creds.base_url, creds.token)


def writer(max_tokens: int = 160):
    """The chat model for narrative text: a job can wait longer than an API request, and retries once."""
    from teamlens.models import chat_model

    return chat_model(settings().model_host_url, max_tokens=max_tokens, timeout=120.0, max_retries=2)
