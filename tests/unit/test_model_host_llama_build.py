"""model_host.llama_build: the llama.cpp compile flags follow the CPU, never AMX; the server is kept per flag set."""
from __future__ import annotations

import pytest

from model_host import llama_build

SAPPHIRE_RAPIDS = frozenset(
    "sse4_2 avx avx2 fma f16c bmi2 avx_vnni avx512f avx512cd avx512vl avx512dq avx512bw avx512vbmi "
    "avx512_vnni avx512_bf16 amx_bf16 amx_int8 amx_tile".split())
HASWELL = frozenset("sse4_2 avx avx2 fma f16c bmi2".split())


def options(args: str) -> dict[str, str]:
    return dict(a.removeprefix("-D").split("=", 1) for a in args.split())


def test_amx_is_never_compiled_even_where_the_cpu_reports_it():
    opts = options(llama_build.cmake_args(SAPPHIRE_RAPIDS, "x86_64"))
    assert opts["GGML_NATIVE"] == "OFF" and opts["GGML_OPENMP"] == "OFF"
    assert opts["GGML_AMX_TILE"] == opts["GGML_AMX_INT8"] == opts["GGML_AMX_BF16"] == "OFF"
    assert all(opts[o] == "ON" for o in ("GGML_AVX2", "GGML_AVX512", "GGML_AVX512_VNNI", "GGML_AVX512_BF16",
                                         "GGML_AVX_VNNI", "GGML_FMA", "GGML_F16C"))


def test_instructions_the_cpu_lacks_stay_off():
    opts = options(llama_build.cmake_args(HASWELL, "x86_64"))
    assert opts["GGML_AVX2"] == opts["GGML_FMA"] == "ON"
    assert opts["GGML_AVX512"] == opts["GGML_AVX512_VNNI"] == opts["GGML_AVX_VNNI"] == "OFF"
    # AVX-512 F without the rest of the set ggml's option compiles is not enough
    partial = options(llama_build.cmake_args(HASWELL | {"avx512f"}, "x86_64"))
    assert partial["GGML_AVX512"] == "OFF"


def test_other_architectures_keep_the_native_build_without_openmp():
    assert llama_build.cmake_args(frozenset(), "aarch64") == "-DGGML_OPENMP=OFF"


def test_the_callers_cmake_args_win(monkeypatch):
    assert llama_build.build_args({"CMAKE_ARGS": " -DGGML_CUDA=on "}) == "-DGGML_CUDA=on"


def test_cpu_flags_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu avx2 fma\n")
    assert llama_build.cpu_flags(info) == {"fpu", "avx2", "fma"}
    assert llama_build.cpu_flags(tmp_path / "missing") == frozenset()


def test_a_server_folder_per_version_and_flags(tmp_path):
    a = llama_build.server_dir("0.3.36", "-DGGML_AVX2=ON", tmp_path)
    assert a == llama_build.server_dir("0.3.36", "-DGGML_AVX2=ON", tmp_path)
    assert a != llama_build.server_dir("0.3.36", "-DGGML_AVX2=OFF", tmp_path)
    assert a != llama_build.server_dir("0.3.37", "-DGGML_AVX2=ON", tmp_path)
    assert llama_build.built_server(a) is None
    a.mkdir(parents=True)
    (a / "llama-server").write_bytes(b"")
    assert llama_build.built_server(a) is None  # not executable: an interrupted copy
    (a / "llama-server").chmod(0o755)
    assert llama_build.built_server(a) == a / "llama-server"


def test_the_pinned_version_comes_from_the_requirements(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("torch==2.13.0\nllama_cpp_python==0.3.36  # compiled\n")
    assert llama_build.pinned_version(req) == "0.3.36"
    req.write_text("torch==2.13.0\n")
    with pytest.raises(ValueError, match="llama-cpp-python"):
        llama_build.pinned_version(req)


def test_cache_root_honours_the_overrides(tmp_path):
    assert llama_build.cache_root({"TEAMLENS_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert llama_build.cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "teamlens"
