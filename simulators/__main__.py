"""python -m simulators --service gitlab|slack|backlog --port N [--data DIR] [--host 127.0.0.1]"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from simulators.app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    parser.add_argument("--service", required=True, choices=["gitlab", "slack", "backlog"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data", type=Path, default=None,
                        help="demo workspace directory (default: generate it under .state/demo)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(args.service, args.data)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, lifespan="on")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
