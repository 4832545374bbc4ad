"""Start the model host: check the settings, serve at once (GET /health says 503 while loading), load
the models in the background (app lifespan), and exit non-zero with the reason if loading fails."""
from __future__ import annotations

import logging
import os
import sys

# Never reach for a model hub: weights are local (packaged, or placed by the operator).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from model_host.settings import ConfigError, Settings

log = logging.getLogger("model_host")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per engine health check otherwise
    try:
        settings = Settings.from_env()
        from model_host.preflight import preflight

        preflight(settings)
    except ConfigError as exc:
        print(f"model host cannot start: {exc}", file=sys.stderr, flush=True)
        return 2

    from model_host.cpu_priority import raise_cpu_priority

    raise_cpu_priority(settings.nice)  # before the engine starts: it inherits the process's nice value

    import uvicorn

    from model_host.app import create_app
    from model_host.runtime import Runtime

    runtime = Runtime(settings)
    log.info("listening on http://%s:%d (models loading)", settings.host, settings.port)
    uvicorn.run(create_app(runtime), host=settings.host, port=settings.port, log_level="warning",
                timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
