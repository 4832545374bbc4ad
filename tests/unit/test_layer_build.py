"""The dependencies layer's bytecode: compiled by the runtime's Python, valid without source mtimes."""
from __future__ import annotations

import importlib.util
import sys

from cdk.layer_build import compile_bytecode, runtime_python


def test_this_interpreter_is_found_for_its_own_version_and_a_missing_one_is_none():
    assert runtime_python(f"{sys.version_info.major}.{sys.version_info.minor}") == sys.executable
    assert runtime_python("2.1") is None


def test_compiled_files_are_unchecked_hash_pycs_beside_the_source(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (tmp_path / "pkg" / "broken.py").write_text("def (:\n")  # one bad file does not stop the rest

    compile_bytecode(sys.executable, tmp_path)

    pyc = tmp_path / "pkg" / "__pycache__" / f"__init__.{sys.implementation.cache_tag}.pyc"
    assert pyc.exists()
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based (bit 0), check_source off (bit 1): unchecked-hash
    assert importlib.util.source_hash((tmp_path / "pkg" / "__init__.py").read_bytes()) == pyc.read_bytes()[8:16]
