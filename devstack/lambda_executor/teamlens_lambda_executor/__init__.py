"""LocalStack Lambda runtime executor that runs each execution environment as a local process.

Each environment is `<runtime venv>/bin/python -m awslambdaric <handler>` talking to a small Lambda Runtime
API server inside LocalStack (one per environment, on 127.0.0.1).
Selected with LAMBDA_RUNTIME_EXECUTOR=process.

Modules:
  plugin          plux entry point (name "process") returning the executor class
  startup_check   on_infra_start hook that logs whether LocalStack will really use this executor
  executor        the RuntimeExecutor LocalStack drives (start, invoke, stop, logs, prepare_version)
  templates       one initialised template process per function version; environments fork from it
  template_main   the template process itself (run by the runtime venv, stdlib + awslambdaric)
  runtime_process one runtime child process + its Runtime API server, with timeouts and crash detection
  runtime_api     the Lambda Runtime API (HTTP/1.1) server for one environment
  launch          child argv/env/cwd from a function version (layers, venvs, reserved variables)
  lambda_reports  AWS-style log lines (START/END/REPORT) and error payloads (timeout, runtime exit)
"""

__version__ = "0.1.0"
