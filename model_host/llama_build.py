"""How llama-cpp-python is compiled for this machine, and where its wheel is kept. Stdlib only.

llama-cpp-python is an sdist: pip compiles llama.cpp at install. Its default, GGML_NATIVE
(`-march=native`), also compiles ggml's AMX kernels on CPUs that report AMX, and there
`ggml_backend_amx_mul_mat` crashes the process (SIGSEGV) on the packaged Q4_K_M chat model (seen on
a 2-core VM reporting amx_int8/amx_tile). So on x86-64 the build names each instruction set the CPU
has, AMX never: the same speed everywhere else, and no crash.

It is also built without OpenMP (ggml's own thread pool instead). torch ships a libgomp.so.1 of the
same name, so the two engines share one OpenMP runtime in the model host, and once torch (the embedding
thread) or the loader thread had started a team, every generation on the chat thread decoded at 17
instead of 26 tokens/s on 2 cores; with ggml's pool it is 26 whichever thread ran first.

pip's own wheel cache is keyed by the sdist alone, so a wheel compiled for one CPU would be reused on a
machine without those instructions (SIGILL). The wheel is kept instead in a folder named by the build
flags, outside the clone, so a fresh clone on the same machine skips the ~5 minute compile.
"""
from __future__ import annotations

import hashlib
import os
import platform
from pathlib import Path

PACKAGE = "llama-cpp-python"

# ggml's CMake option -> the /proc/cpuinfo flags it needs (ggml's AVX512 option compiles F, CD, VL, DQ, BW).
_ISA_OPTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("GGML_SSE42", ("sse4_2",)),
    ("GGML_AVX", ("avx",)),
    ("GGML_AVX2", ("avx2",)),
    ("GGML_FMA", ("fma",)),
    ("GGML_F16C", ("f16c",)),
    ("GGML_BMI2", ("bmi2",)),
    ("GGML_AVX_VNNI", ("avx_vnni",)),
    ("GGML_AVX512", ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw")),
    ("GGML_AVX512_VBMI", ("avx512f", "avx512vbmi")),
    ("GGML_AVX512_VNNI", ("avx512f", "avx512_vnni")),
    ("GGML_AVX512_BF16", ("avx512f", "avx512_bf16")),
)
_NEVER = ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16")


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The flags of the first CPU listed (every core of a machine reports the same set)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def cmake_args(flags: frozenset[str], machine: str) -> str:
    """CMAKE_ARGS for a CPU build on this machine. Off x86-64 (e.g. aarch64) ggml's native build is kept."""
    if machine.lower() not in ("x86_64", "amd64"):
        return "-DGGML_OPENMP=OFF"
    options = ["-DGGML_OPENMP=OFF", "-DGGML_NATIVE=OFF"]
    options += [f"-D{opt}={'ON' if all(f in flags for f in needs) else 'OFF'}" for opt, needs in _ISA_OPTIONS]
    options += [f"-D{opt}=OFF" for opt in _NEVER]
    return " ".join(options)


def build_args(environ: dict[str, str] | None = None) -> str:
    """The CMAKE_ARGS to compile with: the caller's own when set (e.g. -DGGML_CUDA=on), else this CPU's."""
    environ = os.environ if environ is None else environ
    if environ.get("CMAKE_ARGS", "").strip():
        return environ["CMAKE_ARGS"].strip()
    return cmake_args(cpu_flags(), platform.machine())


def pinned_version(requirements: Path) -> str:
    for raw in requirements.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        name, sep, version = line.partition("==")
        if sep and name.strip().lower().replace("_", "-") == PACKAGE:
            return version.strip()
    raise ValueError(f"{requirements} does not pin {PACKAGE}==<version>")


def cache_root(environ: dict[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get("TEAMLENS_CACHE_DIR"):
        return Path(environ["TEAMLENS_CACHE_DIR"])
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "teamlens"


def wheel_dir(version: str, args: str, python_minor: str, root: Path) -> Path:
    """One folder per (version, build flags, Python): a wheel there was compiled exactly so."""
    key = hashlib.sha256(f"{version}\0{args}\0{python_minor}".encode()).hexdigest()[:16]
    return root / "wheels" / f"{PACKAGE}-{version}-{key}"


def built_wheel(folder: Path) -> Path | None:
    wheels = sorted(folder.glob("llama_cpp_python-*.whl")) if folder.is_dir() else []
    return wheels[-1] if wheels else None
