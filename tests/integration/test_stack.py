"""The deployed stack on LocalStack: API Gateway + key, Step Functions, EventBridge, DynamoDB, S3, secrets."""
from __future__ import annotations

import io
import json
import os
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration
FIXTURE = Path(__file__).resolve().parent / "lambda_fixtures" / "handler"


def _get(url: str, key: str | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, headers={"x-api-key": key} if key else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_health_through_api_gateway_needs_the_key(stack):
    status, body = _get(f"{stack['api_url']}/health", stack["api_key"])
    assert status == 200
    assert body["status"] == "ok"
    assert body["sources_configured"] == ["backlog", "gitlab", "slack"]
    assert body["python"].startswith("3.12")

    assert _get(f"{stack['api_url']}/health")[0] == 403
    assert _get(f"{stack['api_url']}/health", "wrong-key")[0] == 403


def test_unknown_route_is_a_clean_404_or_403(stack):
    status, _ = _get(f"{stack['api_url']}/no-such-route", stack["api_key"])
    assert status in (403, 404)


@pytest.fixture(scope="module")
def fixture_function(aws) -> str:
    """The executor tests' fixture handler as a plain function of this stack's LocalStack."""
    lam = aws("lambda")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.write(FIXTURE / "app.py", "app.py")
    name = f"stack-fixture-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Timeout=30,
                        Role="arn:aws:iam::000000000000:role/lambda-role", Code={"ZipFile": buf.getvalue()})
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_step_functions_runs_a_lambda_task_that_reads_a_secret(stack, aws, fixture_function):
    sfn = aws("stepfunctions")
    definition = {"StartAt": "ReadSecret", "States": {"ReadSecret": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
        "Parameters": {"FunctionName": fixture_function, "Payload": {
            "action": "secret", "secret_id": stack["outputs"]["GitlabSecretArn"]}}, "End": True}}}
    machine = sfn.create_state_machine(name=f"stack-test-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::000000000000:role/sfn-role")
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")
    desc = _wait_execution(sfn, execution["executionArn"])
    assert desc["status"] == "SUCCEEDED", desc
    assert json.loads(desc["output"]) == {"base_url": os.environ["GITLAB_URL"], "token_present": True}


def test_schedule_rule_targets_the_state_machine(stack, aws):
    events = aws("events")
    rule = events.describe_rule(Name=stack["outputs"]["IngestScheduleRule"])
    assert rule["ScheduleExpression"] == "rate(15 minutes)"
    # conftest deploys with TEAMLENS_INGEST_SCHEDULE=off; a default deploy has it ENABLED (synth test).
    assert rule["State"] == "DISABLED"
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert targets[0]["Arn"] == stack["outputs"]["IngestStateMachineArn"]


def test_eventbridge_event_invokes_a_lambda(stack, aws, fixture_function):
    events, lam, s3 = aws("events"), aws("lambda"), aws("s3")
    tag = f"eventbridge-{uuid.uuid4().hex[:8]}"
    bucket, key = stack["outputs"]["RawBucket"], f"test/{tag}.json"
    rule_arn = events.put_rule(Name=tag, EventPattern=json.dumps({"source": ["teamlens.test"]}))["RuleArn"]
    lam.add_permission(FunctionName=fixture_function, StatementId=tag, Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=rule_arn)
    events.put_targets(Rule=tag, Targets=[{"Id": "fixture", "Arn": fixture_function, "Input": json.dumps(
        {"action": "s3_put", "bucket": bucket, "key": key})}])
    events.put_events(Entries=[{"Source": "teamlens.test", "DetailType": "test", "Detail": "{}"}])
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            assert json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())["key"] == key
            return
        except ClientError:
            time.sleep(0.5)
    pytest.fail("the EventBridge target Lambda did not write its object within 30 s")


def test_dynamodb_put_get_query_gsi_and_conditional_write(stack, aws):
    ddb = aws("dynamodb")
    table = stack["outputs"]["ConversationsTable"]
    conv = f"conv#{uuid.uuid4().hex}"
    for i in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": conv}, "sk": {"S": f"turn#{i:04d}"},
                                            "kind": {"S": "turn"}, "created_at": {"S": f"2026-11-2{i}"},
                                            "expires_at": {"N": str(int(time.time()) + 3600)}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": conv}, "sk": {"S": "turn#0001"}})["Item"]
    assert got["created_at"]["S"] == "2026-11-21"
    turns = ddb.query(TableName=table, KeyConditionExpression="pk = :p AND begins_with(sk, :t)",
                      ExpressionAttributeValues={":p": {"S": conv}, ":t": {"S": "turn#"}})["Items"]
    assert [t["sk"]["S"] for t in turns] == ["turn#0000", "turn#0001", "turn#0002"]
    by_kind = ddb.query(TableName=table, IndexName="by_kind", KeyConditionExpression="kind = :k",
                        ExpressionAttributeValues={":k": {"S": "turn"}})["Items"]
    assert len([t for t in by_kind if t["pk"]["S"] == conv]) == 3
    with pytest.raises(ClientError) as err:
        ddb.put_item(TableName=table, Item={"pk": {"S": conv}, "sk": {"S": "turn#0000"}},
                     ConditionExpression="attribute_not_exists(pk)")
    assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_s3_put_get(stack, aws):
    s3 = aws("s3")
    bucket = stack["outputs"]["RawBucket"]
    key = f"raw/test/{uuid.uuid4().hex}.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"hello": "\xe4\xb8\x96\xe7\x95\x8c"}')
    assert json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) == {"hello": "世界"}


def _wait_execution(sfn, arn: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        desc = sfn.describe_execution(executionArn=arn)
        if desc["status"] != "RUNNING":
            return desc
        time.sleep(0.5)
    raise AssertionError(f"execution {arn} still running after {timeout}s")


def test_dynamodb_stream_records_inserts_and_modifies(stack, aws):
    ddb, streams = aws("dynamodb"), aws("dynamodbstreams")
    table = stack["outputs"]["IngestionStateTable"]
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    pk = f"cursor#{uuid.uuid4().hex}"
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "c"}, "v": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "c"}, "v": {"N": "2"}})
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    seen: list[str] = []
    deadline = time.time() + 20
    while time.time() < deadline and seen != ["INSERT", "MODIFY"]:
        seen = []
        for shard in shards:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for rec in streams.get_records(ShardIterator=it)["Records"]:
                if rec["dynamodb"]["Keys"]["pk"]["S"] == pk:
                    seen.append(rec["eventName"])
        time.sleep(0.5)
    assert seen == ["INSERT", "MODIFY"]
