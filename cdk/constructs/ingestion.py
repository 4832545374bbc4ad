"""Ingestion: an EventBridge schedule starts the `ingest` state machine, which maps over the sources."""
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
        schedule: str,
        schedule_enabled: bool,
    ) -> None:
        super().__init__(scope, id)
        fetch_source = tasks.LambdaInvoke(
            self,
            "FetchSource",
            lambda_function=fetch,
            payload=sfn.TaskInput.from_object({
                "source": sfn.JsonPath.string_at("$.source"),
                "execution": sfn.JsonPath.string_at("$$.Execution.Id"),
            }),
            payload_response_only=True,
            retry_on_service_exceptions=True,
        )
        per_source = sfn.Map(
            self,
            "PerSource",
            items_path="$.sources",
            item_selector={"source": sfn.JsonPath.string_at("$$.Map.Item.Value")},
            max_concurrency=3,
            result_path="$.results",
        ).item_processor(fetch_source)
        defaults = sfn.Pass(self, "DefaultSources", result=sfn.Result.from_array(list(SOURCES)),
                            result_path="$.sources")
        choose = sfn.Choice(self, "SourcesGiven?").when(
            sfn.Condition.is_present("$.sources"), per_source).otherwise(defaults.next(per_source))
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(choose),
            timeout=cdk.Duration.hours(1),
        )
        self.schedule = events.Rule(
            self,
            "Schedule",
            schedule=events.Schedule.expression(schedule),
            enabled=schedule_enabled,
            targets=[targets.SfnStateMachine(self.state_machine,
                                             input=events.RuleTargetInput.from_object({"trigger": "schedule"}))],
        )
