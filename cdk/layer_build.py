"""Build the third-party dependencies layer with pip for the Lambda runtime's Python (no Docker bundling).

pip downloads manylinux wheels for the target Python version, so the layer matches the runtime even
though synth runs on another interpreter. The result is cached and rebuilt only when inputs change.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements" / "lambda.txt"
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


def build_dependencies_layer(runtime: str, out_root: Path | None = None) -> Path:
    """Return a folder with `python/<packages>` for `runtime` (e.g. "python3.12")."""
    version = runtime.removeprefix("python")
    out = (out_root or ROOT / ".state" / "build" / "layers") / f"deps-{runtime}"
    fingerprint = hashlib.sha256(REQUIREMENTS.read_bytes() + runtime.encode() + repr(PLATFORMS).encode())
    marker = out / ".fingerprint"
    if marker.exists() and marker.read_text() == fingerprint.hexdigest():
        return out
    if out.exists():
        shutil.rmtree(out)
    target = out / "python"
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-compile", "--only-binary=:all:", "--implementation", "cp", "--python-version", version,
           *[arg for p in PLATFORMS for arg in ("--platform", p)],
           "--target", str(target), "-r", str(REQUIREMENTS)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(out, ignore_errors=True)
        raise RuntimeError(f"building the Lambda dependencies layer failed:\n{proc.stderr[-3000:]}")
    for junk in target.rglob("__pycache__"):
        shutil.rmtree(junk, ignore_errors=True)
    marker.write_text(fingerprint.hexdigest())
    return out
