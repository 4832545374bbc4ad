"""The index model: a second embedding model (EmbeddingGemma-300m by default, `INDEX_EMBEDDING_MODEL`) that
the Lambdas ask for by name. It embeds the vector index (chunks at ingestion, questions at search) and
orders /ask's evidence sentences again after the default model's (e5-small's) cheap first ranking: its
cross-language margins are ~5x e5-small's (a translation ~0.5 above an unrelated text, against ~0.1), which
took cross-language recall@5 from ~0.5 to ~0.85 on the labelled questions (docs/benchmarks.md).
"""
from __future__ import annotations

import warnings

from model_host.embeddings import SentenceTransformerEmbedder, cpu_has_native_bf16
from model_host.settings import Settings

# The model accepts 2,048 tokens; the chunker cuts chunks well below 512, and on a CPU a batch of long
# inputs would cost seconds and gigabytes.
MAX_TOKENS = 512
# Texts per forward pass: chunks vary in length, and padding a batch of 32 to its longest cost 30% (measured
# on demo chunks, bfloat16: 13.3 chunks/s at 8, 9.3 at 32).
ENCODE_BATCH = 8
INT8 = "int8-dynamic"


def quantize_linear_int8(module: object) -> None:
    """Replace every nn.Linear with torch's dynamically quantized int8 version, in place (CPUs without native
    bfloat16: 3x float32's speed on such a machine, 71 against 23 sentences/s; vectors at cosine ~0.94 of
    float32's, the same top-ranked translations with ~20% smaller margins)."""
    import torch

    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao (not installed); the pinned torch has it.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*", category=UserWarning)
        torch.ao.quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def load_index_embedder(s: Settings) -> SentenceTransformerEmbedder:
    """GPU and CPUs with native bfloat16 (AVX512-BF16, AMX): bfloat16, closer to float32 (cosine >= 0.998)
    and faster than int8 there (83-107 against 66-74 sentences/s on 2 AMX cores). Other CPUs: float32
    weights with int8 Linear layers. Never float16: EmbeddingGemma's activations overflow it (every vector
    came out NaN; its model card says so too)."""
    device = "cuda" if s.use_gpu else "cpu"
    bf16 = s.use_gpu or cpu_has_native_bf16()
    embedder = SentenceTransformerEmbedder(s.index_source(), model_id=s.index_model_id, device=device,
                                           threads=s.threads, dtype="bfloat16" if bf16 else "float32")
    if not bf16:
        quantize_linear_int8(embedder.model)
        embedder.dtype = INT8
    embedder.encode_batch = ENCODE_BATCH
    embedder.max_seq_length = min(embedder.max_seq_length, MAX_TOKENS)
    embedder.model.max_seq_length = embedder.max_seq_length
    # Without `input_type` a text is embedded as a query, as with e5: EmbeddingGemma has no default prompt,
    # and a text without one is outside what it was trained on.
    if embedder.default_prompt_name is None and "query" in embedder.prompts:
        embedder.default_prompt_name = embedder.model.default_prompt_name = "query"
    return embedder
