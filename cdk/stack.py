"""The teamlens stack: wires the constructs together; each construct owns one concern."""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk.config import StackConfig
from cdk.constructs.api import Api
from cdk.constructs.function import TeamlensFunction, VpcPlacement
from cdk.constructs.ingestion import Ingestion
from cdk.constructs.jobs import Jobs
from cdk.constructs.layers import Layers
from cdk.constructs.secrets import SourceSecrets
from cdk.constructs.sidecars import Sidecars
from cdk.constructs.storage import Storage


class TeamlensStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        runtime = lambda_.Runtime(config.lambda_runtime, lambda_.RuntimeFamily.PYTHON)
        storage = Storage(self, "Storage", local=config.is_local)
        secrets = SourceSecrets(self, "Secrets", sources=config.sources)
        layers = Layers(self, "Layers", runtime=runtime)
        # AWS only: the model host and Chroma as ECS services in a VPC; LocalStack uses the .env URLs.
        sidecars = (Sidecars(self, "Sidecars", config=config.sidecars,
                             index_embedding_model=config.index_embedding_model) if config.sidecars else None)
        # The functions that call the sidecars run in the VPC's private subnets (the sidecars admit only
        # their security group); fetch, hooks and health call neither and stay outside it.
        in_vpc = VpcPlacement(sidecars.network.vpc, sidecars.network.private_subnets,
                              sidecars.network.lambda_sg) if sidecars else None

        common_env = {
            "TEAMLENS_TARGET": config.target,
            "RAW_BUCKET": storage.raw_bucket.bucket_name,
            "CONVERSATIONS_TABLE": storage.conversations.table_name,
            "INGESTION_STATE_TABLE": storage.ingestion_state.table_name,
            "MODEL_HOST_URL": sidecars.model_host.url if sidecars else config.model_host_url,
            "CHROMA_URL": sidecars.vector_store.url if sidecars else config.chroma_url,
            "VECTOR_STORE": config.vector_store,
            "ANSWER_LEAD": "on" if config.answer_lead else "off",
            "INDEX_EMBEDDING_MODEL": config.index_embedding_model,
            **{f"{name.upper()}_SECRET_ARN": s.secret_arn for name, s in secrets.secrets.items()},
        }

        def function(id: str, name: str, *, sidecar_client: bool = False, **kw) -> lambda_.Function:
            return TeamlensFunction(self, id, name=name, runtime=runtime, layers=layers.all,
                                    environment=common_env, network=in_vpc if sidecar_client else None,
                                    **kw).function

        health = function("Health", "health", timeout=cdk.Duration.seconds(10), memory_size=256)
        storage.conversations.grant_read_data(health)

        fetch = function("IngestFetch", "ingest_fetch", timeout=cdk.Duration.minutes(10))
        storage.raw_bucket.grant_read_write(fetch)
        storage.ingestion_state.grant_read_write_data(fetch)
        secrets.grant_read(fetch)

        index = function("IngestIndex", "ingest_index", sidecar_client=True,
                         timeout=cdk.Duration.minutes(10), memory_size=1024)
        storage.raw_bucket.grant_read(index)
        storage.ingestion_state.grant_read_write_data(index)

        reindex_plan = function("IngestReindexPlan", "ingest_reindex", sidecar_client=True,
                                timeout=cdk.Duration.minutes(5))
        storage.raw_bucket.grant_read_write(reindex_plan)
        storage.ingestion_state.grant_read_write_data(reindex_plan)

        ingestion = Ingestion(self, "Ingestion", fetch=fetch, index=index, reindex_plan=reindex_plan,
                              schedule=config.ingest_schedule, schedule_enabled=config.ingest_schedule_enabled)

        job_run = function("JobRun", "job_run", sidecar_client=True,
                           timeout=cdk.Duration.minutes(15), memory_size=1024)
        storage.conversations.grant_read_write_data(job_run)
        storage.raw_bucket.grant_read(job_run)
        secrets.grant_read(job_run)
        jobs = Jobs(self, "Jobs", runner=job_run)
        jobs.weekly_report(schedule=config.weekly_report_schedule, enabled=config.weekly_report_enabled,
                           args=config.weekly_report_args)

        # Just under API Gateway's 29 s integration limit; /ask keeps its own deadline inside this.
        api_fn = function("ApiHandler", "api", sidecar_client=True,
                          timeout=cdk.Duration.seconds(28), memory_size=1024)
        api_fn.add_environment("JOBS_STATE_MACHINE_ARN", jobs.state_machine.state_machine_arn)
        jobs.grant_start_and_read(api_fn)
        api_fn.add_environment("INGEST_STATE_MACHINE_ARN", ingestion.state_machine.state_machine_arn)
        api_fn.add_environment("REINDEX_STATE_MACHINE_ARN", ingestion.reindex_state_machine.state_machine_arn)
        for machine in (ingestion.state_machine, ingestion.reindex_state_machine):
            machine.grant_start_execution(api_fn)
            machine.grant_read(api_fn)
        storage.ingestion_state.grant_read_data(api_fn)
        storage.conversations.grant_read_write_data(api_fn)
        # Checks that a channel or MR exists before a job starts, and posting confirmed reports.
        secrets.grant_read(api_fn)
        storage.idempotency.grant_read_write_data(api_fn)
        api_fn.add_environment("IDEMPOTENCY_TABLE", storage.idempotency.table_name)

        # Slack and GitLab webhooks: the hook acknowledges at once; Slack answers come from an async function.
        slack_reply = function("SlackReply", "slack_reply", sidecar_client=True,
                               timeout=cdk.Duration.seconds(90), memory_size=1024)
        hooks = function("Hooks", "hooks", timeout=cdk.Duration.seconds(10), memory_size=512)
        for fn in (slack_reply, hooks):
            storage.conversations.grant_read_write_data(fn)
            secrets.grant_read(fn)
            fn.add_environment("JOBS_STATE_MACHINE_ARN", jobs.state_machine.state_machine_arn)
            jobs.grant_start_and_read(fn)
        hooks.add_environment("SLACK_REPLY_FUNCTION", slack_reply.function_name)
        slack_reply.grant_invoke(hooks)

        api = Api(self, "Api", health=health, handler=api_fn, hooks=hooks, api_id=config.api_id,
                  api_key=config.api_key)

        outputs = {
            "ApiId": api.rest_api.rest_api_id,
            "ApiStage": api.rest_api.deployment_stage.stage_name,
            "ApiUrl": api.rest_api.url,
            "ApiKeyId": api.api_key.key_id,
            "RawBucket": storage.raw_bucket.bucket_name,
            "ConversationsTable": storage.conversations.table_name,
            "IngestionStateTable": storage.ingestion_state.table_name,
            "IdempotencyTable": storage.idempotency.table_name,
            "IngestStateMachineArn": ingestion.state_machine.state_machine_arn,
            "ReindexStateMachineArn": ingestion.reindex_state_machine.state_machine_arn,
            "JobsStateMachineArn": jobs.state_machine.state_machine_arn,
            "JobRunFunction": job_run.function_name,
            "IngestScheduleRule": ingestion.schedule.rule_name,
            "HealthFunction": health.function_name,
            "IngestFetchFunction": fetch.function_name,
            "IngestIndexFunction": index.function_name,
            "ApiFunction": api_fn.function_name,
            "HooksFunction": hooks.function_name,
            "SlackReplyFunction": slack_reply.function_name,
        }
        for name, secret in secrets.secrets.items():
            outputs[f"{name.capitalize()}SecretArn"] = secret.secret_arn
        if sidecars:
            outputs.update({
                "VpcId": sidecars.network.vpc.vpc_id,
                "EcsCluster": sidecars.cluster.cluster_name,
                "ModelHostUrl": sidecars.model_host.url,
                "ModelHostService": sidecars.model_host.service.service_name,
                "ModelWeightsBucket": sidecars.model_host.weights_bucket.bucket_name,
                "ModelWeightsUri": sidecars.model_host.weights_uri,
                "ChromaUrl": sidecars.vector_store.url,
                "ChromaService": sidecars.vector_store.service.service_name,
                "ChromaFileSystem": sidecars.vector_store.file_system.file_system_id,
            })
        for key, value in outputs.items():
            cdk.CfnOutput(self, key, value=value)
