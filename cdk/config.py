"""Stack configuration: CDK context for what differs between LocalStack and AWS, `.env` for values.

Local differences live here and only here, so the same app synthesizes for a real account.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent

# Defaults point at the local simulators and sidecars the dev stack starts.
LOCAL_DEFAULTS = {
    "GITLAB_URL": "http://127.0.0.1:8011",
    "GITLAB_TOKEN": "glpat-teamlens-local",
    "GITLAB_WEBHOOK_TOKEN": "teamlens-local-webhook-token",
    "SLACK_API_URL": "http://127.0.0.1:8012/api/",
    "SLACK_BOT_TOKEN": "xoxb-teamlens-local",
    "SLACK_SIGNING_SECRET": "teamlens-local-signing-secret",
    "BACKLOG_URL": "http://127.0.0.1:8013",
    "BACKLOG_API_KEY": "teamlens-local-backlog-key",
    "MODEL_HOST_URL": "http://127.0.0.1:8002",
    "CHROMADB_HOST": "127.0.0.1",
    "CHROMADB_PORT": "8001",
    "VECTOR_STORE": "chroma",
    "ANSWER_LEAD": "on",
    "INDEX_EMBEDDING_MODEL": "embeddinggemma-300m",
}

MODEL_HOST_KINDS = ("cpu", "gpu")

API_KEY = re.compile(r"[A-Za-z0-9_-]{20,128}")  # API Gateway takes at least 20 characters
API_ID = re.compile(r"[a-z0-9]{1,32}")  # LocalStack refuses upper case in a REST API id


@dataclass(frozen=True)
class SourceSecret:
    """Credentials of one source; the token goes to Secrets Manager, never into Lambda environment."""

    name: str
    base_url: str
    token: str | None  # None: create a placeholder to be filled with `aws secretsmanager put-secret-value`
    extra: tuple[tuple[str, str], ...] = ()  # webhook secrets, LocalStack only (like the token)


@dataclass(frozen=True)
class AwsSidecars:
    """AWS only: the model host and the vector store as ECS services in a VPC beside the Lambdas.

    LocalStack has none of this: there the sidecars are local processes (MODEL_HOST_URL, CHROMADB_HOST).
    """

    model_host: str = "cpu"  # "cpu": Fargate with the packaged small models; "gpu": EC2 GPU capacity provider
    gpu_instance_type: str = "g4dn.xlarge"  # NVIDIA T4, 16 GB; g5 (A10G) is not offered in ap-southeast-1
    vpc_id: str | None = None  # import this VPC (needs an account/region and credentials at synth) instead of a new one
    nat_gateways: int = 1  # in-VPC Lambdas call GitLab/Slack/Backlog (api, job_run, slack_reply); tasks pull images
    model_host_tasks: int = 1  # the fewest model host tasks; 0 for the first deploy, before the weights are uploaded
    model_host_max_tasks: int = 4
    chroma_image: str = "chromadb/chroma:1.5.9"  # the server matching the Lambdas' client (chromadb==1.5.9)


@dataclass(frozen=True)
class StackConfig:
    target: str  # "local" (LocalStack) or "aws"
    stack_name: str
    env: cdk.Environment
    lambda_runtime: str
    ingest_schedule: str
    ingest_schedule_enabled: bool
    model_host_url: str
    weekly_report_schedule: str
    weekly_report_enabled: bool
    weekly_report_args: dict
    chroma_url: str
    vector_store: str
    answer_lead: bool
    index_embedding_model: str  # the model host's model for the index; "" for the host's default one
    sources: tuple[SourceSecret, ...]
    # LocalStack only: the REST API's id and its key's value, fixed so the URL and the key a client holds
    # stay valid across restarts and redeploys. On AWS the id is assigned and the key generated.
    api_id: str | None = None
    api_key: str | None = None
    # AWS only (None for LocalStack): the sidecars as services; their DNS names replace the .env URLs.
    sidecars: AwsSidecars | None = None

    @property
    def is_local(self) -> bool:
        return self.target == "local"

    @classmethod
    def from_context(cls, app: cdk.App) -> StackConfig:
        ctx = app.node.try_get_context
        target = str(ctx("teamlens:target") or "aws")
        if target not in ("local", "aws"):
            raise ValueError(f"context teamlens:target must be 'local' or 'aws', got {target!r}")
        local = target == "local"
        values = {**(LOCAL_DEFAULTS if local else {}), **dotenv_values(ROOT / ".env"),
                  **{k: v for k, v in os.environ.items() if k in LOCAL_DEFAULTS}}

        def value(name: str) -> str:
            return str(values.get(name) or "")

        region = os.environ.get("AWS_DEFAULT_REGION") or value("AWS_DEFAULT_REGION") or "ap-southeast-1"
        account = "000000000000" if local else os.environ.get("CDK_DEFAULT_ACCOUNT")
        # Tokens go into the template only for LocalStack; on AWS they are set out of band.
        token = (lambda name: value(name) or None) if local else (lambda name: None)
        api_key = (os.environ.get("TEAMLENS_API_KEY") or value("TEAMLENS_API_KEY") or None) if local else None
        if api_key is not None and not API_KEY.fullmatch(api_key):
            raise ValueError("TEAMLENS_API_KEY must be 20 to 128 letters, digits, '-' or '_'")
        api_id = str(ctx("teamlens:apiId") or "teamlens") if local else None
        if api_id is not None and not API_ID.fullmatch(api_id):
            raise ValueError(f"context teamlens:apiId must be lowercase letters and digits, got {api_id!r}")
        return cls(
            target=target,
            stack_name=str(ctx("teamlens:stackName") or "Teamlens"),
            env=cdk.Environment(account=account, region=region),
            lambda_runtime=str(ctx("teamlens:lambdaRuntime") or "python3.12"),
            ingest_schedule=str(ctx("teamlens:ingestSchedule") or "rate(15 minutes)"),
            ingest_schedule_enabled=_bool(ctx("teamlens:ingestScheduleEnabled"), True),
            # Monday 09:00 in Tokyo; disabled until a team turns it on (it prepares a preview to confirm).
            weekly_report_schedule=str(ctx("teamlens:weeklyReportSchedule") or "cron(0 0 ? * MON *)"),
            weekly_report_enabled=_bool(ctx("teamlens:weeklyReportEnabled"), False),
            weekly_report_args=_report_args(ctx("teamlens:weeklyReportSlackChannel"), ctx("teamlens:weeklyReportBacklogProject")),
            model_host_url=value("MODEL_HOST_URL"),
            chroma_url=f"http://{value('CHROMADB_HOST')}:{value('CHROMADB_PORT')}" if value("CHROMADB_HOST") else "",
            vector_store=value("VECTOR_STORE") or "chroma",
            # The chat endpoint continues an answer started for it (the model host, vLLM); off for one that
            # cannot (OpenAI's own API refuses the parameter).
            answer_lead=_bool(value("ANSWER_LEAD") or None, True),
            # EmbeddingGemma on the model host embeds the index and orders /ask's evidence; empty or "none"
            # (as the model host reads it) for a host without it: e5, its default model, does both.
            index_embedding_model=_optional(str(values.get("INDEX_EMBEDDING_MODEL", "embeddinggemma-300m") or "")),
            sources=(
                SourceSecret("gitlab", value("GITLAB_URL"), token("GITLAB_TOKEN"),
                             _extra(local, webhook_token=value("GITLAB_WEBHOOK_TOKEN"))),
                SourceSecret("slack", value("SLACK_API_URL"), token("SLACK_BOT_TOKEN"),
                             _extra(local, signing_secret=value("SLACK_SIGNING_SECRET"))),
                SourceSecret("backlog", value("BACKLOG_URL"), token("BACKLOG_API_KEY")),
            ),
            api_id=api_id,
            api_key=api_key,
            sidecars=None if local else _sidecars(ctx),
        )


def _sidecars(ctx) -> AwsSidecars:
    defaults = AwsSidecars()
    kind = str(ctx("teamlens:modelHost") or defaults.model_host)
    if kind not in MODEL_HOST_KINDS:
        raise ValueError(f"context teamlens:modelHost must be 'cpu' or 'gpu', got {kind!r}")
    tasks = _int(ctx("teamlens:modelHostTasks"), defaults.model_host_tasks, "teamlens:modelHostTasks")
    max_tasks = max(1, tasks, _int(ctx("teamlens:modelHostMaxTasks"), defaults.model_host_max_tasks,
                                   "teamlens:modelHostMaxTasks"))
    nat_gateways = _int(ctx("teamlens:natGateways"), defaults.nat_gateways, "teamlens:natGateways")
    if nat_gateways < 1:
        # The answering Lambdas call the sources and the tasks pull their images through it.
        raise ValueError("context teamlens:natGateways must be at least 1 (1 or one per AZ: 2)")
    return AwsSidecars(
        model_host=kind,
        gpu_instance_type=str(ctx("teamlens:gpuInstanceType") or defaults.gpu_instance_type),
        vpc_id=str(ctx("teamlens:vpcId")) if ctx("teamlens:vpcId") else None,
        nat_gateways=nat_gateways,
        model_host_tasks=tasks,
        model_host_max_tasks=max_tasks,
        chroma_image=str(ctx("teamlens:chromaImage") or defaults.chroma_image),
    )


def _int(raw: object, default: int, name: str) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ValueError(f"context {name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"context {name} must be 0 or more, got {value}")
    return value


def _optional(name: str) -> str:
    return "" if name.strip().lower() in ("none", "off", "") else name.strip()


def _extra(local: bool, **values: str) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in values.items() if v) if local else ()


def _report_args(slack_channel: object, backlog_project: object) -> dict:
    post_to = {k: str(v) for k, v in (("slack_channel", slack_channel), ("backlog_project", backlog_project)) if v}
    return {"report_kind": "weekly_project", "range": "last week", **({"post_to": post_to} if post_to else {})}


def _bool(raw: object, default: bool) -> bool:
    if raw is None:
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("1", "true", "yes", "on")
