"""Test function with a slow init (like a real one importing its libraries): which process ran it?"""

import os
import time

INIT_PID = os.getpid()
time.sleep(1.5)
INVOCATIONS = []  # module state: each environment must have its own


def handler(event, context):
    INVOCATIONS.append(context.aws_request_id)
    time.sleep(event.get("seconds", 0))
    return {
        "init_pid": INIT_PID,
        "pid": os.getpid(),
        "invocations": len(INVOCATIONS),
        "stream": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
        "runtime_api": os.environ.get("AWS_LAMBDA_RUNTIME_API"),
        "tmpdir": os.environ.get("TMPDIR"),
        "cwd": os.getcwd(),
    }
