"""Ingestion: an EventBridge schedule starts the `ingest` state machine: Map over the sources, each
branch fetch → index (looping over manifest slices). Every task retries and catches, so a failed
source is recorded with its error while the other sources complete."""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

SOURCES = ("gitlab", "slack", "backlog")


class Ingestion(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        fetch: lambda_.IFunction,
        index: lambda_.IFunction,
        schedule: str,
        schedule_enabled: bool,
    ) -> None:
        super().__init__(scope, id)
        fetch_task = tasks.LambdaInvoke(
            self, "Fetch", lambda_function=fetch, payload_response_only=True, result_path="$.fetch",
            payload=sfn.TaskInput.from_object({"source": sfn.JsonPath.string_at("$.source"),
                                               "run_id": sfn.JsonPath.string_at("$.run_id")}),
        )
        index_task = tasks.LambdaInvoke(
            self, "Index", lambda_function=index, payload_response_only=True, result_path="$.index",
            payload=sfn.TaskInput.from_object({"manifest_key": sfn.JsonPath.string_at("$.fetch.manifest_key"),
                                               "offset": sfn.JsonPath.number_at("$.offset"),
                                               "run_id": sfn.JsonPath.string_at("$.run_id")}),
        )
        for task in (fetch_task, index_task):
            # Sources retry 429/5xx inside the connectors; these cover Lambda-level hiccups.
            task.add_retry(errors=["Lambda.ServiceException", "Lambda.AWSLambdaException",
                                   "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
                           interval=cdk.Duration.seconds(2), max_attempts=3, backoff_rate=2)
            task.add_retry(errors=["States.Timeout"], interval=cdk.Duration.seconds(5), max_attempts=1)
        failed = sfn.Pass(self, "SourceFailed", parameters={
            "source.$": "$.source", "status": "failed", "error.$": "$.error.Error", "cause.$": "$.error.Cause"})
        fetch_task.add_catch(failed, errors=["States.ALL"], result_path="$.error")
        index_task.add_catch(failed, errors=["States.ALL"], result_path="$.error")

        first_slice = sfn.Pass(self, "FirstSlice", result=sfn.Result.from_number(0), result_path="$.offset")
        next_slice = sfn.Pass(self, "NextSlice", input_path="$.index.next_offset", result_path="$.offset")
        done = sfn.Pass(self, "SourceDone", parameters={
            "source.$": "$.source", "status": "succeeded", "fetch.$": "$.fetch"})
        more = sfn.Choice(self, "MoreSlices?").when(
            sfn.Condition.and_(sfn.Condition.is_present("$.index.next_offset"),
                               sfn.Condition.is_not_null("$.index.next_offset")),
            next_slice.next(index_task)).otherwise(done)
        branch = fetch_task.next(first_slice).next(index_task).next(more)

        per_source = sfn.Map(
            self, "PerSource", items_path="$.sources", max_concurrency=3, result_path="$.results",
            item_selector={"source": sfn.JsonPath.string_at("$$.Map.Item.Value"),
                           "run_id": sfn.JsonPath.string_at("$$.Execution.Name")},
        ).item_processor(branch)
        defaults = sfn.Pass(self, "DefaultSources", result=sfn.Result.from_array(list(SOURCES)),
                            result_path="$.sources")
        start = sfn.Choice(self, "SourcesGiven?").when(
            sfn.Condition.is_present("$.sources"), per_source).otherwise(defaults.next(per_source))
        self.state_machine = sfn.StateMachine(
            self, "StateMachine", definition_body=sfn.DefinitionBody.from_chainable(start),
            timeout=cdk.Duration.hours(2),
        )
        self.schedule = events.Rule(
            self, "Schedule", schedule=events.Schedule.expression(schedule), enabled=schedule_enabled,
            targets=[targets.SfnStateMachine(self.state_machine,
                                             input=events.RuleTargetInput.from_object({"trigger": "schedule"}))],
        )
