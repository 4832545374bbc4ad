"""model_host.convert_e5: Q4_0 dequantization and the tokenizer normalizer overrides."""
from __future__ import annotations

import numpy as np

from model_host.convert_e5 import dequantize_q4_0, normalizer_overrides


def test_q4_0_block_layout():
    # One block: fp16 scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble).
    scale = np.array([0.5], dtype="<f2").tobytes()
    qs = bytes(((15 - j) << 4) | j for j in range(16))
    out = dequantize_q4_0(scale + qs, 1, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [((15 - j) - 8) * 0.5 for j in range(16)]
    assert out.shape == (1, 32) and out.dtype == np.float32
    assert out[0].tolist() == expected


def test_rows_use_their_own_scales():
    blocks = b"".join(np.array([s], dtype="<f2").tobytes() + bytes([0x99] * 16) for s in (1.0, 2.0))
    out = dequantize_q4_0(blocks, 2, 32)
    assert set(out[0].tolist()) == {1.0} and set(out[1].tolist()) == {2.0}


def test_only_mappings_that_differ_from_nfkc_become_overrides():
    norm_map = {0x09: " ", 0x200B: " ", 0xFF21: "A", 0x01: ""}
    assert normalizer_overrides(norm_map) == {"\t": " ", "\u200b": " ", "\x01": ""}
