"""Build virtual environments idempotently: a marker file records what was installed.

A venv folder without a marker is a half-built one (an install was interrupted): it is removed and
rebuilt, with a message, instead of being trusted.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from devstack.processes import DevstackError, run

MARKER = ".teamlens-installed"


def pyenv_python(version: str) -> Path:
    """A pyenv interpreter by full version, without relying on the shims (which need PYENV_VERSION)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    minor = ".".join(version.split(".")[:2])
    exe = root / "versions" / version / "bin" / f"python{minor}"
    if exe.exists():
        return exe
    found = shutil.which(f"python{minor}")
    if found and _runs(found):
        return Path(found)
    raise DevstackError(
        f"Python {version} is needed and was not found ({exe}); install it (e.g. `pyenv install {version}`)"
    )


def base_python() -> Path:
    """The interpreter this launcher runs on (outside its venv): Python 3.11 for the app and sidecars."""
    return Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"


def _runs(exe: str) -> bool:
    try:
        run([exe, "-c", "pass"], what=exe)
        return True
    except DevstackError:
        return False


def fingerprint(*parts: str | Path) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(Path(p).read_bytes() if isinstance(p, Path) else p.encode())
    return h.hexdigest()[:16]


def ensure_venv(
    venv: Path,
    python: Path,
    pip_args: Sequence[str],
    *,
    fingerprint_value: str,
    what: str,
) -> bool:
    """Create `venv` with `python` and `pip install <pip_args>`; skip when the marker matches.

    Returns True when something was (re)installed.
    """
    marker = venv / MARKER
    if marker.exists() and marker.read_text().strip() == fingerprint_value:
        return False
    if venv.exists():
        reason = "its requirements changed" if marker.exists() else "a previous install did not finish"
        print(f"  rebuilding {what} venv ({reason})", file=sys.stderr)
        shutil.rmtree(venv)
    print(f"  installing {what} into {venv} ...", file=sys.stderr)
    run([str(python), "-m", "venv", str(venv)], what=f"creating the {what} venv")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run([*pip, *pip_args], what=f"installing {what}")
    marker.write_text(fingerprint_value + "\n")
    return True
