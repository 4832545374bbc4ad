"""The pinned Node tools (package.json + package-lock.json): CDK CLI, cdklocal, emulator jars."""
from __future__ import annotations

import shutil

from devstack import paths
from devstack.processes import DevstackError, run
from devstack.venvs import fingerprint

LOCK = paths.ROOT / "package-lock.json"


def ensure_npm_tools() -> None:
    marker = paths.ROOT / "node_modules" / ".teamlens-installed"
    wanted = fingerprint(LOCK)
    if marker.exists() and marker.read_text() == wanted:
        return
    if not shutil.which("npm"):
        raise DevstackError("npm is needed for the CDK CLI: install Node.js 20+ (apt-get install -y nodejs npm)")
    print("  installing the pinned Node tools (npm ci) ...")
    # --ignore-scripts: none of these need install scripts, and nothing may download at install time.
    run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], cwd=paths.ROOT,
        what="npm ci")
    marker.write_text(wanted)
