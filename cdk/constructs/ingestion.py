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


LAMBDA_TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException"]


class Ingestion(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        fetch: lambda_.IFunction,
        index: lambda_.IFunction,
        reindex_plan: lambda_.IFunction,
        schedule: str,
        schedule_enabled: bool,
    ) -> None:
        super().__init__(scope, id)
        self._index = index

        fetch_task = self._task("Fetch", fetch, "$.fetch", {"source": sfn.JsonPath.string_at("$.source"),
                                                             "run_id": sfn.JsonPath.string_at("$.run_id")})
        fetch_task.add_catch(self._failed("Fetch"), errors=["States.ALL"], result_path="$.error")
        self.state_machine = self._machine("StateMachine", "Ingest", fetch_task.next(self._index_loop("Ingest")))
        self.schedule = events.Rule(
            self, "Schedule", schedule=events.Schedule.expression(schedule), enabled=schedule_enabled,
            targets=[targets.SfnStateMachine(self.state_machine,
                                             input=events.RuleTargetInput.from_object({"trigger": "schedule"}))],
        )

        # Reindex: rebuild the vector store from S3 alone, through the same index loop.
        plan = self._task("PlanReindex", reindex_plan, "$.planned", {
            "sources": sfn.JsonPath.list_at("$.sources"), "run_id": sfn.JsonPath.string_at("$$.Execution.Name")})
        per_source = sfn.Map(self, "ReindexPerSource", items_path="$.planned", max_concurrency=3,
                             result_path="$.results").item_processor(self._index_loop("Reindex"))
        self.reindex_state_machine = self._machine_from(
            "ReindexStateMachine", self._with_default_sources("Reindex", plan.next(per_source)))

    def _task(self, id: str, fn: lambda_.IFunction, result_path: str, payload: dict) -> tasks.LambdaInvoke:
        task = tasks.LambdaInvoke(self, id, lambda_function=fn, payload_response_only=True,
                                  result_path=result_path, payload=sfn.TaskInput.from_object(payload))
        # Sources retry 429/5xx inside the connectors; these cover Lambda-level hiccups.
        task.add_retry(errors=LAMBDA_TRANSIENT, interval=cdk.Duration.seconds(2), max_attempts=3, backoff_rate=2)
        task.add_retry(errors=["States.Timeout"], interval=cdk.Duration.seconds(5), max_attempts=1)
        return task

    def _failed(self, prefix: str) -> sfn.Pass:
        return sfn.Pass(self, f"{prefix}Failed", parameters={
            "source.$": "$.source", "status": "failed", "error.$": "$.error.Error", "cause.$": "$.error.Cause"})

    def _index_loop(self, prefix: str) -> sfn.IChainable:
        """Index a source's manifest slice by slice (input: {source, run_id, fetch: {manifest_key}})."""
        index_task = self._task(f"{prefix}Index", self._index, "$.index", {
            "manifest_key": sfn.JsonPath.string_at("$.fetch.manifest_key"),
            "offset": sfn.JsonPath.number_at("$.offset"), "run_id": sfn.JsonPath.string_at("$.run_id")})
        index_task.add_catch(self._failed(f"{prefix}Index"), errors=["States.ALL"], result_path="$.error")
        first = sfn.Pass(self, f"{prefix}FirstSlice", result=sfn.Result.from_number(0), result_path="$.offset")
        next_slice = sfn.Pass(self, f"{prefix}NextSlice", input_path="$.index.next_offset", result_path="$.offset")
        done = sfn.Pass(self, f"{prefix}SourceDone", parameters={
            "source.$": "$.source", "status": "succeeded", "fetch.$": "$.fetch"})
        more = sfn.Choice(self, f"{prefix}MoreSlices?").when(
            sfn.Condition.and_(sfn.Condition.is_present("$.index.next_offset"),
                               sfn.Condition.is_not_null("$.index.next_offset")),
            next_slice.next(index_task)).otherwise(done)
        return first.next(index_task).next(more)

    def _machine(self, id: str, prefix: str, branch: sfn.IChainable) -> sfn.StateMachine:
        per_source = sfn.Map(
            self, f"{prefix}PerSource", items_path="$.sources", max_concurrency=3, result_path="$.results",
            item_selector={"source": sfn.JsonPath.string_at("$$.Map.Item.Value"),
                           "run_id": sfn.JsonPath.string_at("$$.Execution.Name")},
        ).item_processor(branch)
        return self._machine_from(id, self._with_default_sources(prefix, per_source))

    def _with_default_sources(self, prefix: str, then: sfn.IChainable) -> sfn.IChainable:
        defaults = sfn.Pass(self, f"{prefix}DefaultSources", result=sfn.Result.from_array(list(SOURCES)),
                            result_path="$.sources")
        return sfn.Choice(self, f"{prefix}SourcesGiven?").when(
            sfn.Condition.is_present("$.sources"), then).otherwise(defaults.next(then))

    def _machine_from(self, id: str, start: sfn.IChainable) -> sfn.StateMachine:
        return sfn.StateMachine(self, id, definition_body=sfn.DefinitionBody.from_chainable(start),
                                timeout=cdk.Duration.hours(2))
