"""Model host settings: environment first, then the repository's `.env`, then defaults.

Stdlib only: the dev-stack launcher imports this from the app venv. The seed's names are kept
(`EMBEDDING_MODEL`, `LLM_MODEL`, `USE_GPU`, `QUANTIZATION`, `MODEL_HOST_PORT`); the tuning knobs
are prefixed `MODEL_HOST_`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Installed things (venv, weights) are shared by every stack instance on the machine, so they live under
# the repository's .state/ even when TEAMLENS_STATE_DIR points a test instance elsewhere.
INSTALL = ROOT / ".state"
MODELS_DIR = INSTALL / "models"
# Logs belong to the stack instance (a test instance keeps its own).
LOGS_DIR = Path(os.environ.get("TEAMLENS_STATE_DIR") or INSTALL) / "logs"
VENV = INSTALL / "venvs" / "model-host"

# Names that select a packaged model (assembled by `model_host.weights` into the models folder).
DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"
DEFAULT_LLM_MODEL = "qwen2.5-coder-0.5b-instruct"
# The index model: a second, stronger multilingual embedding model that requests select by name (the vector
# index and the order of evidence; e5, the default, stays for the rest).
DEFAULT_INDEX_EMBEDDING_MODEL = "embeddinggemma-300m"
INDEX_MODEL_OFF = ("", "none")  # INDEX_EMBEDDING_MODEL values that turn the index model off

QUANTIZATIONS = ("none", "4bit", "8bit")


class ConfigError(ValueError):
    """A setting that cannot work; the message says which one and what to do."""


def read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def _lookup(name: str, default: str, dotenv: dict[str, str]) -> str:
    return os.environ.get(name) or dotenv.get(name) or default


def _lookup_set(name: str, default: str, dotenv: dict[str, str]) -> str:
    """Like `_lookup`, but a variable set to "" counts as set: `INDEX_EMBEDDING_MODEL=` turns the index model off."""
    if name in os.environ:
        return os.environ[name]
    return dotenv.get(name, default)


def parse_index_embedding_model(value: str) -> str:
    """The index model, or "" when it is off."""
    v = value.strip()
    return "" if v.lower() in INDEX_MODEL_OFF else v


def parse_bool(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean; use true or false")


def parse_int(name: str, value: str, minimum: int = 1) -> int:
    try:
        n = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not an integer") from None
    if n < minimum:
        raise ConfigError(f"{name}={n} must be at least {minimum}")
    return n


def parse_nice(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise ConfigError(f"MODEL_HOST_NICE={value!r} is not an integer") from None
    if not -20 <= n <= 19:
        raise ConfigError(f"MODEL_HOST_NICE={n} must be between -20 and 19")
    return n


def parse_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    v = value.strip().lower()
    if v not in choices:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return v


def parse_quantization(value: str) -> str:
    v = value.strip().lower() or "none"
    aliases = {"4-bit": "4bit", "int4": "4bit", "8-bit": "8bit", "int8": "8bit", "fp16": "none",
               "bf16": "none", "fp32": "none", "false": "none", "0": "none"}
    v = aliases.get(v, v)
    if v not in QUANTIZATIONS:
        raise ConfigError(f"QUANTIZATION={value!r} is not supported; use one of {', '.join(QUANTIZATIONS)}")
    return v


MAX_DRAFT_TOKENS = 64


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8002
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    llm_model: str = DEFAULT_LLM_MODEL
    index_embedding_model: str = DEFAULT_INDEX_EMBEDDING_MODEL  # "" when off
    use_gpu: bool = False
    quantization: str = "none"
    models_dir: Path = MODELS_DIR
    threads: int = field(default_factory=lambda: os.cpu_count() or 2)
    # auto: bfloat16 on CPUs with native bf16 (AVX512-BF16/AMX: ~2x faster, cosine >= 0.998 vs float32),
    # float16 on GPU, else float32.
    embedding_dtype: str = "auto"
    # auto: ONNX Runtime int8 on CPUs with VNNI/AMX int8 (~2.3x bfloat16, cosine >= 0.99 vs float32),
    # else PyTorch in embedding_dtype.
    embedding_backend: str = "auto"
    context_tokens: int = 4096
    # GGUF models: tokens drafted by n-gram lookup in the context and checked in one forward pass; 0: off.
    draft_tokens: int = 6
    # Generations decoded together (llama-server's parallel slots); batch work holds at most slots - 1.
    chat_slots: int = 4
    # The engine binary (default: the llama-server compiled for this machine by model_host/install.py).
    engine_binary: str = ""
    # CPU share under contention (model_host/cpu_priority.py): a nice value, -20..19; 0 leaves it alone.
    nice: int = -10
    # Limits (each 4xx names the limit that was hit).
    max_request_bytes: int = 8 * 1024 * 1024
    max_embedding_inputs: int = 2048
    max_input_chars: int = 32_000
    max_completion_tokens: int = 2048
    chat_queue_size: int = 4  # questions (interactive requests) waiting for a slot; beyond it, 503
    batch_queue_size: int = 256  # batch requests waiting for a slot (they wait rather than fail)
    # Embedding micro-batching: wait this long for more requests, up to this many texts a batch.
    batch_wait_ms: int = 1
    batch_max_texts: int = 256
    embedding_cache: int = 4096  # recent (prompt, text) -> vector entries kept; 0 turns the cache off

    @classmethod
    def from_env(cls, dotenv_path: Path | None = None) -> Settings:
        dotenv = read_dotenv(dotenv_path or ROOT / ".env")
        get = lambda name, default: _lookup(name, default, dotenv)  # noqa: E731
        s = cls(
            host=get("MODEL_HOST_BIND", "127.0.0.1"),
            port=parse_int("MODEL_HOST_PORT", get("MODEL_HOST_PORT", "8002")),
            embedding_model=get("EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL),
            llm_model=get("LLM_MODEL", DEFAULT_LLM_MODEL),
            index_embedding_model=parse_index_embedding_model(
                _lookup_set("INDEX_EMBEDDING_MODEL", DEFAULT_INDEX_EMBEDDING_MODEL, dotenv)),
            use_gpu=parse_bool("USE_GPU", get("USE_GPU", "false")),
            quantization=parse_quantization(get("QUANTIZATION", "none")),
            models_dir=Path(get("MODEL_HOST_MODELS_DIR", str(MODELS_DIR))),
            threads=parse_int("MODEL_HOST_THREADS", get("MODEL_HOST_THREADS", str(os.cpu_count() or 2))),
            embedding_dtype=parse_choice("MODEL_HOST_EMBEDDING_DTYPE", get("MODEL_HOST_EMBEDDING_DTYPE", "auto"),
                                         ("auto", "float32", "bfloat16", "float16")),
            embedding_backend=parse_choice("MODEL_HOST_EMBEDDING_BACKEND", get("MODEL_HOST_EMBEDDING_BACKEND", "auto"),
                                           ("auto", "torch", "onnx-int8")),
            context_tokens=parse_int("MODEL_HOST_CONTEXT_TOKENS", get("MODEL_HOST_CONTEXT_TOKENS", "4096"), 256),
            draft_tokens=parse_int("MODEL_HOST_DRAFT_TOKENS", get("MODEL_HOST_DRAFT_TOKENS", "6"), 0),
            max_request_bytes=parse_int("MODEL_HOST_MAX_REQUEST_BYTES", get("MODEL_HOST_MAX_REQUEST_BYTES", str(8 << 20)), 1024),
            max_embedding_inputs=parse_int("MODEL_HOST_MAX_EMBEDDING_INPUTS", get("MODEL_HOST_MAX_EMBEDDING_INPUTS", "2048")),
            max_input_chars=parse_int("MODEL_HOST_MAX_INPUT_CHARS", get("MODEL_HOST_MAX_INPUT_CHARS", "32000")),
            max_completion_tokens=parse_int("MODEL_HOST_MAX_COMPLETION_TOKENS", get("MODEL_HOST_MAX_COMPLETION_TOKENS", "2048")),
            chat_queue_size=parse_int("MODEL_HOST_CHAT_QUEUE", get("MODEL_HOST_CHAT_QUEUE", "4"), 0),
            batch_queue_size=parse_int("MODEL_HOST_BATCH_QUEUE", get("MODEL_HOST_BATCH_QUEUE", "256"), 0),
            chat_slots=parse_int("MODEL_HOST_CHAT_SLOTS", get("MODEL_HOST_CHAT_SLOTS", "4")),
            engine_binary=get("MODEL_HOST_ENGINE_BIN", ""),
            nice=parse_nice(get("MODEL_HOST_NICE", "-10")),
            batch_wait_ms=parse_int("MODEL_HOST_BATCH_WAIT_MS", get("MODEL_HOST_BATCH_WAIT_MS", "1"), 0),
            batch_max_texts=parse_int("MODEL_HOST_BATCH_MAX_TEXTS", get("MODEL_HOST_BATCH_MAX_TEXTS", "256")),
            embedding_cache=parse_int("MODEL_HOST_EMBEDDING_CACHE", get("MODEL_HOST_EMBEDDING_CACHE", "4096"), 0),
        )
        s.check_combination()
        return s

    def check_combination(self) -> None:
        """Reject settings that can never work, before anything is loaded."""
        if self.draft_tokens > MAX_DRAFT_TOKENS:
            # A verification batch must fit in one llama.cpp batch; runs this long are never all accepted.
            raise ConfigError(f"MODEL_HOST_DRAFT_TOKENS={self.draft_tokens} must be at most {MAX_DRAFT_TOKENS}")
        if self.index_embedding_model and self.index_model_id == self.embedding_model_id:
            # A request's `model` picks one of the two; the same id for both could not.
            raise ConfigError(f"INDEX_EMBEDDING_MODEL={self.index_embedding_model!r} names the embedding model "
                              "(EMBEDDING_MODEL) again; choose another model, or INDEX_EMBEDDING_MODEL=none")
        if self.embedding_backend == "onnx-int8" and self.use_gpu:
            raise ConfigError("MODEL_HOST_EMBEDDING_BACKEND=onnx-int8 runs on the CPU; with USE_GPU=true use "
                              "torch (or auto)")
        if self.quantization != "none" and not self.use_gpu:
            raise ConfigError(
                f"QUANTIZATION={self.quantization} uses bitsandbytes, which needs a CUDA GPU: set USE_GPU=true "
                "on a GPU machine, or QUANTIZATION=none on CPU (the packaged GGUF chat model is already 4-bit)"
            )
        if self.quantization != "none" and self.llm_is_gguf:
            raise ConfigError(
                f"QUANTIZATION={self.quantization} applies to transformers models; the GGUF file "
                f"{self.llm_model!r} carries its own quantization: set QUANTIZATION=none"
            )

    @property
    def llm_is_packaged(self) -> bool:
        from model_host.packaged import PACKAGED_CHAT

        return self.llm_model in PACKAGED_CHAT

    @property
    def llm_is_gguf(self) -> bool:
        return self.llm_is_packaged or self.llm_model.lower().endswith(".gguf")

    def embedding_source(self) -> str:
        """A packaged model's folder, else a local folder or a hub id (loaded from the local Hugging Face
        cache, offline)."""
        return self._sentence_transformer_source(self.embedding_model)

    def index_source(self) -> str:
        return self._sentence_transformer_source(self.index_embedding_model)

    def _sentence_transformer_source(self, value: str) -> str:
        from model_host.packaged import PACKAGED_EMBEDDING

        if value in PACKAGED_EMBEDDING:
            return str(PACKAGED_EMBEDDING[value].output_path(self.models_dir))
        return value

    def llm_source(self) -> str:
        if self.llm_is_packaged:
            from model_host.packaged import PACKAGED_CHAT

            return str(PACKAGED_CHAT[self.llm_model].output_path(self.models_dir))
        return self.llm_model

    @property
    def embedding_model_id(self) -> str:
        """The name clients pass as `model` (the last path component of a local path)."""
        return _model_id(self.embedding_model)

    @property
    def index_model_id(self) -> str:
        """The name clients pass as `model` for the index model; "" when it is off."""
        return _model_id(self.index_embedding_model) if self.index_embedding_model else ""

    @property
    def llm_model_id(self) -> str:
        return _model_id(self.llm_model).removesuffix(".gguf")


def _model_id(value: str) -> str:
    p = Path(value)
    if value.startswith(("/", ".", "~")) or p.suffix == ".gguf":
        return p.name
    return value
