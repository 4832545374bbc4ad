"""LocalStack's view of one execution environment, backed by a local process instead of a container.

LocalStack creates one executor per execution environment, calls `start()` once, then `invoke()` one
invocation at a time, and `stop()` when the environment is retired. Unlike a container, the runtime
process can die between invocations (timeout kill, crash, init error); LocalStack does not expect that and
keeps the environment, so `invoke()` transparently starts a fresh process first (an AWS-like re-init with
its own Init Duration) instead of failing every later invocation.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path

from localstack import config
from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.executor_endpoint import NAMESPACE
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor

from teamlens_lambda_executor import lambda_reports, templates
from teamlens_lambda_executor.launch import (
    SUPPORTED_RUNTIMES,
    VENVS_ENV,
    LaunchError,
    LaunchSpec,
    build_launch,
    runtime_python,
)
from teamlens_lambda_executor.runtime_api import InitState, Invocation
from teamlens_lambda_executor.runtime_process import Child, Outcome, RuntimeProcess, Spawn, popen
from teamlens_lambda_executor.templates import TemplatePool, TemplateUnavailable

LOG = logging.getLogger(__name__)

_LOG_TAIL_BYTES = 1024 * 1024  # get_logs() is for diagnostics; keep it bounded for long-lived environments
_LOG_ROTATE_BYTES = 16 * 1024 * 1024  # start the log file afresh once this much has been handed to LocalStack
# LocalStack stops an environment that has not finished init after this long (its startup timer);
# we wait a little longer ourselves so a hung init can never block the invoking thread forever.
_STARTUP_TIMEOUT_S = config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT + 5


def work_root() -> Path:
    """Per-environment scratch folders live in LocalStack's tmp dir, which it wipes on every start."""
    return Path(config.dirs.tmp) / "teamlens-lambda"


_TEMPLATES = TemplatePool(lambda: work_root() / "templates")


def _version_key(function_version: FunctionVersion) -> str:
    # An update of $LATEST is a new FunctionVersion with the same ARN: the revision tells them apart.
    return f"{function_version.qualified_arn}#{function_version.config.internal_revision}"


class ProcessRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # base class signature
        super().__init__(id=id, function_version=function_version)
        self._lock = threading.Lock()  # guards _runtime and _stopped against stop() from another thread
        self._invoke_lock = threading.Lock()  # LocalStack sends one invocation at a time; make sure of it
        self._runtime: RuntimeProcess | None = None
        self._stopped = False
        self._lambda_env: dict[str, object] = {}
        self._dir = work_root() / f"{function_version.id.function_name}-{id}"
        self._log_path = self._dir / "runtime.log"
        self._log_mark = 0  # log file offset where the next invocation's logs start
        self._init_ms: float | None = None  # Init Duration for the next REPORT line (set by a cold start)
        self._final_logs: str | None = None

    # --- lifecycle ------------------------------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        self._lambda_env = dict(env_vars)
        (self._dir / "tmp").mkdir(parents=True, exist_ok=True)
        self._start_runtime()

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            runtime, self._runtime = self._runtime, None
        if runtime:
            runtime.kill()
        self._final_logs = self._read_log_tail()
        shutil.rmtree(self._dir, ignore_errors=True)

    # --- invocation -----------------------------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        with self._invoke_lock:
            runtime = self._runtime_for_invoke()
            self._append_log(lambda_reports.start_line(request_id, self.function_version.id.qualifier))
            started = time.monotonic()
            if runtime.api.init_state is InitState.FAILED:
                # awslambdaric posted /init/error and exits; AWS retries init on the next invocation.
                body = runtime.api.init_error or b"{}"
                return self._finish(
                    runtime, request_id, started, body, error_type=_error_type(body), retire=True
                )
            if runtime.api.init_state is InitState.STARTING:  # exited during init without saying why
                return self._report_exit(runtime, request_id, started, runtime.exit_code)

            timeout_s = float(self.function_version.config.timeout)
            result = runtime.invoke(self._invocation(payload, timeout_s), timeout_s)
            if result.outcome is Outcome.REPLIED and result.reply is not None:
                return self._finish(
                    runtime, request_id, started, result.reply.body, is_error=result.reply.is_error
                )
            if result.outcome is Outcome.CLOSED or self._stopped:
                raise LambdaRuntimeException(
                    f"execution environment {self.id} was stopped during invocation {request_id}"
                )
            if result.outcome is Outcome.EXITED:
                return self._report_exit(runtime, request_id, started, result.exit_code)
            return self._report_timeout(runtime, request_id, started, timeout_s)

    def _invocation(self, payload: dict[str, str], timeout_s: float) -> Invocation:
        return Invocation(
            request_id=payload["invoke-id"],
            payload=(payload.get("payload") or "").encode(),
            function_arn=payload.get("invoked-function-arn") or self.function_version.qualified_arn,
            trace_id=payload.get("trace-id") or "",
            deadline_ms=int(time.time() * 1000 + timeout_s * 1000),
        )

    def _report_exit(
        self, runtime: RuntimeProcess, request_id: str, started: float, exit_code: int | None
    ) -> InvocationResult:
        code = exit_code if exit_code is not None else -9
        self._append_log(lambda_reports.exit_log_lines(request_id, code))
        return self._finish(
            runtime,
            request_id,
            started,
            lambda_reports.exit_payload(request_id, code),
            error_type="Runtime.ExitError",
            retire=True,
        )

    def _report_timeout(
        self, runtime: RuntimeProcess, request_id: str, started: float, timeout_s: float
    ) -> InvocationResult:
        max_rss_mb = runtime.max_rss_mb()  # read before the kill: afterwards there is nothing to read
        runtime.kill()  # the whole process group: handler threads and anything it started
        self._append_log(lambda_reports.timeout_log_line(request_id, timeout_s))
        return self._finish(
            runtime,
            request_id,
            started,
            lambda_reports.timeout_payload(request_id, timeout_s),
            status="timeout",
            retire=True,
            max_rss_mb=max_rss_mb,
        )

    def _finish(
        self,
        runtime: RuntimeProcess,
        request_id: str,
        started: float,
        body: bytes,
        *,
        is_error: bool = True,
        error_type: str | None = None,
        status: str | None = None,
        retire: bool = False,
        max_rss_mb: int | None = None,
    ) -> InvocationResult:
        """Write END/REPORT, cut this invocation's logs, and drop the runtime if it cannot be reused."""
        duration_ms = (time.monotonic() - started) * 1000
        self._append_log(lambda_reports.end_line(request_id))
        self._append_log(
            lambda_reports.report_line(
                request_id,
                duration_ms=duration_ms,
                memory_size_mb=int(self.function_version.config.memory_size),
                max_memory_used_mb=max_rss_mb or runtime.max_rss_mb(),
                init_duration_ms=self._init_ms,
                status=status or ("error" if error_type else None),
                error_type=error_type,
            )
        )
        self._init_ms = None
        if retire:
            self._retire(runtime)
        return InvocationResult(
            request_id=request_id, payload=body, is_error=is_error, logs=self._take_logs()
        )

    # --- runtime process management -------------------------------------------------------------------------

    def _start_runtime(self) -> RuntimeProcess:
        """Start a runtime process and wait until it asked for work, failed init, or exited."""
        fv = self.function_version
        if fv.config.code is None or not fv.config.runtime or not fv.config.handler:
            raise LambdaRuntimeException(f"{fv.qualified_arn} has no zip code, runtime or handler to run")
        runtime_name, handler = str(fv.config.runtime), fv.config.handler
        code_dir = fv.config.code.get_unzipped_code_location()
        layer_dirs = [layer.code.get_unzipped_code_location() for layer in fv.config.layers if layer.code]

        def make_launch(port: int) -> LaunchSpec:
            return build_launch(
                runtime=runtime_name,
                handler=handler,
                code_dir=Path(code_dir),
                layer_dirs=[Path(d) for d in layer_dirs],
                lambda_env=self._lambda_env,
                runtime_api_port=port,
                scratch_dir=self._dir / "tmp",
            )

        started = time.monotonic()
        try:
            spawn = self._template_spawn(handler, make_launch(0))
        except LaunchError as e:
            raise LambdaRuntimeException(str(e)) from e
        with self._lock:
            if self._stopped:
                raise LambdaRuntimeException(f"execution environment {self.id} is stopped")
            try:
                runtime = RuntimeProcess(make_launch, self._log_path, spawn)
            except LaunchError as e:
                raise LambdaRuntimeException(str(e)) from e
            self._runtime = runtime
        LOG.debug(
            "started Lambda runtime pid %s for %s (env %s, runtime api port %s)",
            runtime.pid,
            fv.qualified_arn,
            self.id,
            runtime.api.port,
        )
        state = runtime.wait_initialized(_STARTUP_TIMEOUT_S)
        if self._stopped or runtime.api.closed:
            runtime.kill()
            raise LambdaRuntimeException(f"execution environment {self.id} was stopped during startup")
        if state is InitState.STARTING and runtime.exit_code is None:
            runtime.kill()
            raise LambdaRuntimeException(
                f"Lambda runtime for {fv.qualified_arn} did not start within {_STARTUP_TIMEOUT_S}s; "
                f"last output:\n{self._read_log_tail()[-2000:]}"
            )
        # From before the template wait: the environment that waited for its version's init reports it.
        self._init_ms = (time.monotonic() - started) * 1000
        return runtime

    def _template_spawn(self, handler: str, spec: LaunchSpec) -> Spawn | None:
        """A spawn that forks from this version's initialised template, or None to start a plain process.

        Waits here, outside the lock stop() needs, for the template's init (the first environment of a
        version pays it; the ones starting beside it wait for the same init instead of repeating it).
        """
        if not templates.enabled():
            return None
        version = _version_key(self.function_version)
        try:
            _TEMPLATES.prepare(version, handler, spec, _STARTUP_TIMEOUT_S)
        except TemplateUnavailable as e:
            LOG.debug("Lambda %s starts without a template: %s", self.function_version.qualified_arn, e)
            return None

        def spawn(launch: LaunchSpec, log_fd: int) -> Child:
            try:
                return _TEMPLATES.fork(version, launch, log_fd)
            except TemplateUnavailable as e:
                LOG.debug("Lambda %s starts without a template: %s", self.function_version.qualified_arn, e)
                return popen(launch, log_fd)

        return spawn

    def _runtime_for_invoke(self) -> RuntimeProcess:
        with self._lock:
            runtime = self._runtime
            if self._stopped:
                raise LambdaRuntimeException(f"execution environment {self.id} is stopped")
        if (
            runtime is not None
            and runtime.exit_code is not None
            and runtime.api.init_state is InitState.READY
        ):
            # Died while idle (e.g. a background thread called os._exit): not this invocation's fault.
            self._retire(runtime)
            runtime = None
        if runtime is not None:
            return runtime
        LOG.debug(
            "re-initializing Lambda runtime for %s (env %s)", self.function_version.qualified_arn, self.id
        )
        return self._start_runtime()

    def _retire(self, runtime: RuntimeProcess) -> None:
        """Forget a runtime that timed out, crashed or failed init; the next invocation starts a fresh one."""
        runtime.kill()
        with self._lock:
            if self._runtime is runtime:
                self._runtime = None

    # --- logs -----------------------------------------------------------------------------------------------

    def _append_log(self, text: str) -> None:
        # O_APPEND, like the child's stdout: our lines and its lines interleave in write order.
        fd = os.open(self._log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)

    def _take_logs(self) -> str:
        """Everything written since the previous invocation: init output, the handler's output, our lines."""
        try:
            with open(self._log_path, "rb") as fh:
                fh.seek(self._log_mark)
                data = fh.read()
        except FileNotFoundError:
            return ""
        self._log_mark += len(data)
        if self._log_mark > _LOG_ROTATE_BYTES:
            # Bound the file of a chatty long-lived environment. The runtime appends (O_APPEND), so its next
            # write lands at the new end; only output from a background thread in this instant is lost.
            os.truncate(self._log_path, 0)
            self._log_mark = 0
        return _normalize_newlines(data.decode("utf-8", errors="replace"))

    def _read_log_tail(self) -> str:
        try:
            with open(self._log_path, "rb") as fh:
                size = fh.seek(0, os.SEEK_END)
                fh.seek(max(0, size - _LOG_TAIL_BYTES))
                return _normalize_newlines(fh.read().decode("utf-8", errors="replace"))
        except FileNotFoundError:
            return ""

    def get_logs(self) -> str:
        return self._final_logs if self._final_logs is not None else self._read_log_tail()

    # --- addresses ------------------------------------------------------------------------------------------

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        """Host the function uses to reach LocalStack; LocalStack builds AWS_ENDPOINT_URL from it."""
        return _gateway_host()

    def get_runtime_endpoint(self) -> str:
        # Only exported as LOCALSTACK_RUNTIME_ENDPOINT; our runtimes talk to AWS_LAMBDA_RUNTIME_API instead.
        return f"http://{_gateway_host()}:{config.GATEWAY_LISTEN[0].port}{NAMESPACE}/{self.id}"

    # --- version preparation --------------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        """Unpack code and layers; fail the function (State=Failed, with the reason) if it cannot run here.

        Never downloads anything: no runtime-init binary, no images.
        """
        cfg = function_version.config
        if cfg.package_type != PackageType.Zip:
            raise LambdaRuntimeException(
                "container-image functions are not supported by the local process executor"
            )
        runtime_python(cfg.runtime)  # raises with what to do when unsupported or its venv is missing
        if cfg.code:
            cfg.code.prepare_for_execution()
        for layer in cfg.layers:
            if layer.code:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        # Called once the version's environments are stopped. Unpacked code belongs to LocalStack's code
        # cache, which cleans it up; the version's template is ours.
        _TEMPLATES.retire(_version_key(function_version))

    @classmethod
    def validate_environment(cls) -> bool:
        missing = []
        for runtime in SUPPORTED_RUNTIMES:
            try:
                runtime_python(runtime)
            except LaunchError as e:
                missing.append(str(e))
        for message in missing:
            LOG.warning("teamlens-lambda-executor: %s", message)
        if not os.environ.get(VENVS_ENV):
            return False
        return not missing


def _gateway_host() -> str:
    host = config.GATEWAY_LISTEN[0].host
    return "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host  # noqa: S104 - compared, not bound


def _error_type(body: bytes) -> str | None:
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    return doc.get("errorType") if isinstance(doc, dict) else None


def _normalize_newlines(text: str) -> str:
    # awslambdaric joins the lines of an error report with "\r" (the real log pipeline splits on it);
    # LocalStack splits CloudWatch events on "\n" only, so make every line its own event.
    return text.replace("\r\n", "\n").replace("\r", "\n")
