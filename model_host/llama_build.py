"""How llama.cpp's server is compiled for this machine, and where the binary is kept. Stdlib only.

The chat engine is `llama-server`, built from the llama.cpp tree inside the pinned llama-cpp-python
sdist (requirements-engine.txt): PyPI is reachable, GitHub is not. ggml's default, GGML_NATIVE
(`-march=native`), also compiles ggml's AMX kernels on CPUs that report AMX, and there
`ggml_backend_amx_mul_mat` crashes the process (SIGSEGV) on the packaged Q4_K_M chat model (seen on
a 2-core VM reporting amx_int8/amx_tile). So on x86-64 the build names each instruction set the CPU
has, AMX never: the same speed everywhere else, and no crash. Without OpenMP: ggml's own thread pool
decodes as fast on 2 cores and shares no runtime with anything else.

A binary compiled for one CPU would crash (SIGILL) on a machine without those instructions, so it is
kept in a folder named by the version and the build flags, outside the clone: a fresh clone on the same
machine skips the compile. Statically linked, so the folder holds one self-contained file.
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


# Only the server and what it links: no tests, examples, curl/OpenSSL (the model file is local) or web UI.
SERVER_OPTIONS = ("-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF "
                  "-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON "
                  "-DLLAMA_BUILD_SERVER=ON")
SERVER = "llama-server"


def server_dir(version: str, args: str, root: Path) -> Path:
    """One folder per (version, build flags): a binary there was compiled exactly so."""
    key = hashlib.sha256(f"{version}\0{args}\0{SERVER_OPTIONS}".encode()).hexdigest()[:16]
    return root / "engines" / f"llama-server-{version}-{key}"


def built_server(folder: Path) -> Path | None:
    binary = folder / SERVER
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None
