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


def slack(quick: bool = False):
    """`quick`: for a check inside an API request, which cannot wait out a long retry schedule."""
    from teamlens.sources.slack import SlackSource, slack_client

    creds = credentials("slack")
    return SlackSource(slack_client(creds.base_url, creds.token, max_retries=1 if quick else 5,
                                    timeout=5 if quick else 30))


def gitlab(quick: bool = False):
    from teamlens.sources.gitlab import GitLabSource, gitlab_client

    creds = credentials("gitlab")
    source = GitLabSource(gitlab_client(creds.base_url, creds.token, timeout=5 if quick else 30))
    if quick:
        source.gl.retry_transient_errors = False
    return source


def backlog():
    from teamlens.sources.backlog import BacklogClient

    creds = credentials("backlog")
    return BacklogClient(creds.base_url, creds.token)


def writer(max_tokens: int = 160):
    """The chat model for narrative text: batch work, which waits for a slot the model host keeps free for
    people's questions; a job can wait longer than an API request, and retries."""
    from teamlens.model_host_client import chat_model

    return chat_model(settings().model_host_url, priority="batch", max_tokens=max_tokens, timeout=300.0,
                      max_retries=2)
