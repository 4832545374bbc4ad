"""The health report: version and the configuration the function runs with (no secrets)."""
from __future__ import annotations

import os
import platform
from datetime import UTC, datetime

from teamlens import __version__
from teamlens.settings import settings


def health_report() -> dict:
    s = settings()
    return {
        "status": "ok",
        "version": __version__,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "region": os.environ.get("AWS_REGION", ""),
        "python": platform.python_version(),
        "target": s.target,
        "sources_configured": sorted(s.secret_arns),
        "model_host_url": s.model_host_url,
        "vector_store": s.vector_store,
        "index_embedding_model": s.index_embedding_model,
    }
