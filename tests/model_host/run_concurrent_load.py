"""Load a bfloat16 embedder on one thread while another thread encodes with a float32 one (as the model
host loads e5 and the index model at start), and print as JSON the default dtypes torch had meanwhile and
whether both models then encode. Run with the model host venv's Python:

    run_concurrent_load.py MODEL_FOLDER
"""
from __future__ import annotations

import json
import sys
import threading

import torch

from model_host.embeddings import SentenceTransformerEmbedder


def main(source: str) -> None:
    float32 = SentenceTransformerEmbedder(source, model_id="e5", device="cpu", threads=1, dtype="float32")
    seen: set[str] = set()
    errors: list[str] = []
    loaded: list[SentenceTransformerEmbedder] = []
    # transformers holds its default dtype only while it builds the model's modules (milliseconds): a tight
    # poll on its own thread sees it, and three loads make that sure.
    loader = threading.Thread(target=lambda: loaded.extend(
        SentenceTransformerEmbedder(source, model_id="e5-bf16", device="cpu", threads=1, dtype="bfloat16")
        for _ in range(3)))
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.add(str(torch.get_default_dtype()))

    poller = threading.Thread(target=poll)
    loader.start()
    poller.start()
    while loader.is_alive():
        try:
            float32.encode(["a forward pass while the other model loads"])
        except RuntimeError as e:
            errors.append(str(e)[:200])
    loader.join()
    done.set()
    poller.join()
    seen.add(str(torch.get_default_dtype()))
    bf16 = loaded[-1]
    a, _ = float32.encode(["the same text"])
    b, _ = bf16.encode(["the same text"])
    print(json.dumps({"default_dtypes_seen": sorted(seen), "errors": errors[:3], "bf16_dtype": bf16.dtype,
                      "parameter_dtype": str(next(bf16.model.parameters()).dtype),
                      "cosine": float((a * b).sum())}))


if __name__ == "__main__":
    main(sys.argv[1])
