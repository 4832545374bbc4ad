"""Long jobs (summaries, reviews, reports): a state machine that runs the `job_run` Lambda once per job.

The execution is named by the job id. The Lambda records progress and the result on the job item; if it
crashes or times out (and so cannot record its own failure), the catch runs it again in "record failure"
mode so the job item still ends FAILED with the reason.
"""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from cdk.constructs.ingestion import LAMBDA_TRANSIENT


class Jobs(Construct):
    def __init__(self, scope: Construct, id: str, *, runner: lambda_.IFunction) -> None:
        super().__init__(scope, id)
        # The job id is the execution's name, so a job started directly (`start-execution --input
        # '{"kind": …, "args": {…}}'`) or by a schedule gets one the same way as one started by the API.
        name_job = sfn.Pass(self, "NameJob", parameters={
            "job_id": sfn.JsonPath.string_at("$$.Execution.Name"), "kind": sfn.JsonPath.string_at("$.kind"),
            "args": sfn.JsonPath.object_at("$.args")})
        run = tasks.LambdaInvoke(self, "RunJob", lambda_function=runner, payload_response_only=True,
                                 result_path="$.outcome")
        run.add_retry(errors=LAMBDA_TRANSIENT, interval=cdk.Duration.seconds(2), max_attempts=3, backoff_rate=2)
        record = tasks.LambdaInvoke(
            self, "RecordFailure", lambda_function=runner, payload_response_only=True, result_path=sfn.JsonPath.DISCARD,
            payload=sfn.TaskInput.from_object({"job_id": sfn.JsonPath.string_at("$.job_id"),
                                               "failure": sfn.JsonPath.object_at("$.error")}))
        record.add_retry(errors=LAMBDA_TRANSIENT, interval=cdk.Duration.seconds(2), max_attempts=3, backoff_rate=2)
        failed = sfn.Fail(self, "JobFailed", error_path="$.error.Error", cause_path="$.error.Cause")
        record.add_catch(failed, errors=["States.ALL"], result_path=sfn.JsonPath.DISCARD)
        run.add_catch(record.next(failed), errors=["States.ALL"], result_path="$.error")
        # Named, so its executions' ARN is known without parsing the machine's ARN (`grant_read` builds it with
        # Fn::Select over Fn::Split, which LocalStack cannot resolve when the machine is new in a stack update).
        self.name = f"{cdk.Stack.of(self).stack_name}-jobs"
        self.state_machine = sfn.StateMachine(
            self, "StateMachine", state_machine_name=self.name, definition_body=sfn.DefinitionBody.from_chainable(
                name_job.next(run).next(sfn.Succeed(self, "JobDone"))),
            timeout=cdk.Duration.hours(1))

    def weekly_report(self, *, schedule: str, enabled: bool, args: dict) -> events.Rule:
        """A report job on a schedule (disabled unless configured): it prepares the preview and its
        confirmation token; posting still needs the confirm call."""
        return events.Rule(self, "WeeklyReport", schedule=events.Schedule.expression(schedule), enabled=enabled,
                           description="teamlens weekly status report (preview; posting needs a confirm)",
                           targets=[targets.SfnStateMachine(self.state_machine, input=events.RuleTargetInput.from_object(
                               {"kind": "report", "args": args}))])

    def grant_start_and_read(self, grantee: iam.IGrantable) -> None:
        self.state_machine.grant_start_execution(grantee)
        stack = cdk.Stack.of(self)
        grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
            actions=["states:DescribeExecution", "states:GetExecutionHistory"],
            resources=[stack.format_arn(service="states", resource="execution", resource_name=f"{self.name}:*",
                                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)]))
