"""Embedding backend: any sentence-transformers model, from a local folder or the local hub cache.

The packaged default (multilingual-e5-small, converted at install) and a production model such as
sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2 load through this same code path; the
vector size is whatever the model says. Vectors are L2-normalized.
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

# Request input_type -> prompt names to look for in the model's configuration, in order.
_PROMPT_CANDIDATES = {
    "query": ("query",),
    "passage": ("passage", "document"),
    "document": ("document", "passage"),
}


def _cpu_flags(cpuinfo: Path) -> str:
    try:
        return cpuinfo.read_text()
    except OSError:
        return ""


def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    flags = _cpu_flags(cpuinfo)
    return "avx512_bf16" in flags or "amx_bf16" in flags


def cpu_has_int8_dot(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """VNNI (AVX512 or AVX) or AMX int8: where int8 matrix products beat bfloat16/float32."""
    flags = _cpu_flags(cpuinfo)
    return any(f in flags for f in ("avx512_vnni", "avx_vnni", "amx_int8"))


def resolve_backend(setting: str, use_gpu: bool, cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The embedding backend for `MODEL_HOST_EMBEDDING_BACKEND=setting` on this machine."""
    if setting != "auto":
        return setting
    return "onnx-int8" if not use_gpu and cpu_has_int8_dot(cpuinfo) else "torch"


def resolve_dtype(setting: str, device: str) -> str:
    """The compute dtype for `MODEL_HOST_EMBEDDING_DTYPE=setting` on this device."""
    if setting != "auto":
        return setting
    if device != "cpu":
        return "float16"
    return "bfloat16" if cpu_has_native_bf16() else "float32"


# Model loads take turns (embedding models and the transformers chat backend load on threads of their own):
# from_pretrained saves, sets and restores torch's global default dtype, which is not safe to interleave.
MODEL_LOAD_LOCK = threading.Lock()


class SentenceTransformerEmbedder:
    def __init__(self, source: str, *, model_id: str, device: str, threads: int, dtype: str = "auto") -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if device == "cpu":
            torch.set_num_threads(threads)
        self.model_id = model_id
        self.dtype = resolve_dtype(dtype, device)
        # Loaded in float32, then cast: transformers sets torch's process-wide default dtype to the requested
        # one while it loads. With two models loading on two threads, the other model's forward passes built
        # tensors in bfloat16 meanwhile, and the interleaved save/restore could leave bfloat16 as the default
        # for good; the model host then failed to start ("expected m1 and m2 to have the same dtype").
        with MODEL_LOAD_LOCK:
            self.model = SentenceTransformer(source, device=device, local_files_only=True,
                                             model_kwargs={"dtype": torch.float32})
        if self.dtype != "float32":
            self.model.to(getattr(torch, self.dtype))
        self.model.eval()
        self.dimension = int(self.model.get_embedding_dimension())
        self.max_seq_length = int(self.model.max_seq_length)
        self.prompts: dict[str, str] = dict(self.model.prompts or {})
        self.default_prompt_name: str | None = self.model.default_prompt_name
        self.encode_batch = 32  # texts per forward pass

    def prompt_name(self, input_type: str | None) -> str | None:
        """The model's prompt for this input type; None means the model's default (or no prompt)."""
        if input_type is None:
            return None
        for name in _PROMPT_CANDIDATES[input_type]:
            if name in self.prompts:
                return name
        return None

    def _prefix(self, prompt_name: str | None) -> str:
        name = prompt_name or self.default_prompt_name
        return self.prompts.get(name, "") if name else ""

    def encode(self, texts: list[str], prompt_name: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Normalized float32 vectors, and the token count of each text (for `usage`)."""
        import torch

        with torch.inference_mode():
            vectors = self.model.encode(
                texts, prompt_name=prompt_name, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False, batch_size=self.encode_batch,
            )
        # Normalize again in float32: a bfloat16 norm is only good to ~1e-3.
        vectors = np.asarray(vectors, dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        prefix = self._prefix(prompt_name)
        ids = self.model.tokenizer([prefix + t for t in texts], truncation=True,
                                   max_length=self.max_seq_length)["input_ids"]
        counts = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(texts))
        return vectors, counts
