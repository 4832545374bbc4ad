"""What AWS Lambda writes around an invocation, so CloudWatch logs and error payloads look like AWS.

Log lines: START / END / REPORT per invocation, and the platform's own lines for a timeout or a runtime
that exited. Error payloads: the JSON a caller gets back (FunctionError: Unhandled) for those two cases;
handler exceptions and init errors come from awslambdaric itself.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    memory_size_mb: int,
    max_memory_used_mb: int | None,
    init_duration_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
        f"Memory Size: {memory_size_mb} MB",
        f"Max Memory Used: {max_memory_used_mb if max_memory_used_mb is not None else '-'} MB",
    ]
    if init_duration_ms is not None:
        fields.append(f"Init Duration: {init_duration_ms:.2f} ms")
    if status:
        fields.append(f"Status: {status}")
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields) + "\n"


def timeout_payload(request_id: str, timeout_s: float) -> bytes:
    return _error(request_id, "Sandbox.Timedout", f"Task timed out after {timeout_s:.2f} seconds")


def timeout_log_line(request_id: str, timeout_s: float) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds\n"


def exit_payload(request_id: str, exit_code: int) -> bytes:
    return _error(request_id, "Runtime.ExitError", f"Runtime exited with error: {describe_exit(exit_code)}")


def exit_log_lines(request_id: str, exit_code: int) -> str:
    reason = describe_exit(exit_code)
    return f"RequestId: {request_id} Error: Runtime exited with error: {reason}\nRuntime.ExitError\n"


def describe_exit(exit_code: int) -> str:
    """Popen returncode as Go's os/exec prints it (the real Lambda platform is written in Go)."""
    if exit_code < 0:
        names = {9: "killed", 15: "terminated", 11: "segmentation fault", 6: "aborted"}
        return f"signal: {names.get(-exit_code, str(-exit_code))}"
    return f"exit status {exit_code}"


def _error(request_id: str, error_type: str, message: str) -> bytes:
    return json.dumps(
        {"errorType": error_type, "errorMessage": f"RequestId: {request_id} Error: {message}"}
    ).encode()
