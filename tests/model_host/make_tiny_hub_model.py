"""Build a tiny random sentence-transformers model in the Hugging Face cache layout under the seed's
production id, so the test can show that id loads offline through the model host's normal code path.

Run with the model host venv's Python:  make_tiny_hub_model.py HF_HOME TOKENIZER_SOURCE_DIR
The architecture mirrors paraphrase-multilingual-MiniLM-L12-v2 (XLM-R encoder, mean pooling), only
much smaller (32 dimensions), which also shows the vector size is read from the model.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO_ID = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
REVISION = "0" * 40
DIMENSION = 32


def main(hf_home: Path, tokenizer_dir: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import XLMRobertaConfig, XLMRobertaModel

    torch.manual_seed(0)
    snapshot = hf_home / "hub" / f"models--{REPO_ID.replace('/', '--')}" / "snapshots" / REVISION
    with tempfile.TemporaryDirectory() as tmp:
        hf = Path(tmp)
        config = XLMRobertaConfig(vocab_size=250037, hidden_size=DIMENSION, num_hidden_layers=2,
                                  num_attention_heads=2, intermediate_size=64, max_position_embeddings=514,
                                  type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2)
        XLMRobertaModel(config, add_pooling_layer=False).save_pretrained(hf)
        for name in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(tokenizer_dir / name, hf / name)
        transformer = models.Transformer(str(hf), max_seq_length=128)
        pooling = models.Pooling(DIMENSION, pooling_mode="mean")
        SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(snapshot))
    refs = snapshot.parent.parent / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text(REVISION)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
