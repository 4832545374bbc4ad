"""Which embedding backend `auto` picks: ONNX Runtime int8 only on a CPU with int8 dot products."""
from __future__ import annotations

import pytest

from model_host.embeddings import resolve_backend, resolve_dtype


@pytest.mark.parametrize("flags,use_gpu,expected", [
    ("fpu avx2 avx512f avx512_vnni avx512_bf16", False, "onnx-int8"),
    ("fpu avx2 avx_vnni", False, "onnx-int8"),
    ("fpu avx2 amx_bf16 amx_int8", False, "onnx-int8"),
    ("fpu avx2 fma", False, "torch"),            # no int8 dot product: PyTorch float32
    ("fpu avx2 avx512_vnni", True, "torch"),     # the GPU runs PyTorch
])
def test_auto_backend_follows_the_cpu(tmp_path, flags, use_gpu, expected):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor : 0\nflags : {flags}\n")
    assert resolve_backend("auto", use_gpu, cpuinfo) == expected


def test_explicit_backend_is_kept(tmp_path):
    missing = tmp_path / "none"
    assert resolve_backend("torch", False, missing) == "torch"
    assert resolve_backend("onnx-int8", False, missing) == "onnx-int8"
    assert resolve_backend("auto", False, missing) == "torch"  # unreadable flags: the safe choice


def test_dtype_setting_is_kept_when_explicit():
    assert resolve_dtype("float32", "cpu") == "float32"
    assert resolve_dtype("auto", "cuda") == "float16"
