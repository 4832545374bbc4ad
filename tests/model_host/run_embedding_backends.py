"""Encode the same texts with the PyTorch float32 backend and the ONNX Runtime int8 backend (exported into
a fresh models folder), and print the agreement as JSON. Run with the model host venv's Python:

    run_embedding_backends.py MODEL_FOLDER SCRATCH_MODELS_DIR
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from model_host.embeddings import SentenceTransformerEmbedder
from model_host.embeddings_onnx import OnnxInt8Embedder, cache_path

TEXTS = ["The v2.4 release moved from Friday 13/11 to Friday 27/11.",
         "v2.4 のリリースを 11月13日(金) から 11月27日(金) に延期します。",
         "Release v2.4 dời từ thứ Sáu 13/11 sang thứ Sáu 27/11.",
         "fix(booking): lock the slot row before checking for an overlapping booking",
         "short", "ログイン試行は5回まで"] * 3


def main(source: str, models_dir: str) -> None:
    ref = SentenceTransformerEmbedder(source, model_id="e5", device="cpu", threads=2, dtype="float32")
    int8 = OnnxInt8Embedder(source, model_id="e5", threads=2, models_dir=Path(models_dir))
    report = {"dimension": [ref.dimension, int8.dimension], "dtype": int8.dtype,
              "cached": cache_path(Path(models_dir), "e5").is_file()}
    for prompt in ("query", "passage"):
        a, ca = ref.encode(TEXTS, prompt)
        b, cb = int8.encode(TEXTS, prompt)
        cos = np.sum(a * b, axis=1)
        report[prompt] = {"min_cos": float(cos.min()), "norms": [float(x) for x in np.linalg.norm(b, axis=1)],
                          "same_counts": bool((ca == cb).all()),
                          # rank agreement: each text's nearest other text is the same under both backends
                          "same_neighbours": bool(((a @ a.T - 2 * np.eye(len(a))).argmax(1)
                                                   == (b @ b.T - 2 * np.eye(len(b))).argmax(1)).all())}
    # A second load reuses the export instead of making it again.
    before = cache_path(Path(models_dir), "e5").stat().st_mtime_ns
    OnnxInt8Embedder(source, model_id="e5", threads=1, models_dir=Path(models_dir))
    report["reused"] = cache_path(Path(models_dir), "e5").stat().st_mtime_ns == before
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
