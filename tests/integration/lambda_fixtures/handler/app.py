"""Test function for the process Lambda executor: the event's "action" picks a behaviour."""

import json
import os
import sys
import time


def handler(event, context):
    action = event.get("action", "echo")
    print(f"fixture action={action} request={context.aws_request_id}")
    if action == "echo":
        return {
            "event": event,
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "function": context.function_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
        }
    if action == "env":
        return {name: os.environ.get(name) for name in event["names"]}
    if action == "layer":
        import teamlens_fixture_layer  # only importable from the layer

        return {"layer": teamlens_fixture_layer.MARKER, "file": teamlens_fixture_layer.__file__}
    if action == "sleep":
        time.sleep(event["seconds"])
        return {"slept": event["seconds"], "pid": os.getpid()}
    if action == "raise":
        return _fail(event["message"])
    if action == "crash":
        sys.stdout.write("about to crash\n")
        os._exit(1)
    if action == "s3_put":
        import boto3  # the runtime venv's boto3; AWS_ENDPOINT_URL points it at LocalStack

        boto3.client("s3").put_object(
            Bucket=event["bucket"], Key=event["key"], Body=json.dumps(event).encode()
        )
        return {"put": event["key"]}
    if action == "secret":
        import boto3

        value = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=event["secret_id"])["SecretString"])
        # Prove the read without echoing the token.
        return {"base_url": value["base_url"], "token_present": bool(value.get("token"))}
    raise ValueError(f"unknown action {action!r}")


def _fail(message):
    raise RuntimeError(message)
