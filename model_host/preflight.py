"""Checks run before the server starts, so a missing model or an impossible setting fails at once with a
message saying what to do, instead of at the first request."""
from __future__ import annotations

from pathlib import Path

from model_host.llama_build import build_args
from model_host.packaged import PACKAGED, PACKAGED_EMBEDDING
from model_host.settings import ConfigError, Settings

PLACE_WEIGHTS = "see 'Production weights' in model_host/README.md"


def is_local_reference(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~")) or Path(value).exists()


def hub_cached(repo_id: str, filename: str) -> bool:
    """Is `filename` of `repo_id` in the local Hugging Face cache (HF_HOME / HF_HUB_CACHE)?"""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id, filename)
    return isinstance(found, str)


def check_sentence_transformer(setting: str, ref: str, models_dir: Path) -> None:
    """An embedding model: packaged and assembled, a folder holding one, or a hub id in the local cache."""
    if ref in PACKAGED_EMBEDDING:
        if not PACKAGED_EMBEDDING[ref].is_assembled(models_dir):
            raise ConfigError(f"the packaged model {ref} ({setting}) is not assembled in {models_dir}: "
                              "run `python3 model_host/install.py` (or `make install`)")
        return
    if is_local_reference(ref):
        folder = Path(ref).expanduser()
        if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
            raise ConfigError(f"{setting}={ref}: no sentence-transformers model there (expected "
                              f"modules.json or config.json); {PLACE_WEIGHTS}")
    elif not (hub_cached(ref, "modules.json") or hub_cached(ref, "config.json")):
        raise ConfigError(f"{setting}={ref} is not in the local Hugging Face cache and no hub is "
                          f"reachable: place its files there or point {setting} at a folder; {PLACE_WEIGHTS}")


def check_embedding_model(s: Settings) -> None:
    check_sentence_transformer("EMBEDDING_MODEL", s.embedding_model, s.models_dir)


def check_index_embedding_model(s: Settings) -> None:
    if s.index_embedding_model:  # off: nothing to load
        check_sentence_transformer("INDEX_EMBEDDING_MODEL", s.index_embedding_model, s.models_dir)


def check_chat_model(s: Settings) -> None:
    if s.llm_is_packaged:
        if not PACKAGED[s.llm_model].is_assembled(s.models_dir):
            raise ConfigError(f"the packaged chat model {s.llm_model} is not assembled in {s.models_dir}: "
                              "run `python3 model_host/install.py` (or `make install`)")
        return
    ref = s.llm_model
    if s.llm_is_gguf:
        if not Path(ref).expanduser().is_file():
            raise ConfigError(f"LLM_MODEL={ref}: no such GGUF file")
    elif is_local_reference(ref):
        if not (Path(ref).expanduser() / "config.json").is_file():
            raise ConfigError(f"LLM_MODEL={ref}: no transformers model there (expected config.json); {PLACE_WEIGHTS}")
    elif not hub_cached(ref, "config.json"):
        raise ConfigError(f"LLM_MODEL={ref} is not in the local Hugging Face cache and no hub is reachable: "
                          f"place its files there or point LLM_MODEL at a folder or a .gguf file; {PLACE_WEIGHTS}")


def check_hardware(s: Settings) -> None:
    if s.use_gpu:
        import torch

        if not torch.cuda.is_available():
            raise ConfigError("USE_GPU=true but no CUDA GPU is visible to torch: set USE_GPU=false, or install a "
                              "CUDA build of torch on a GPU machine")
        if s.llm_is_gguf and not s.engine_binary and "ggml_cuda=on" not in build_args().lower():
            raise ConfigError("USE_GPU=true but llama-server is compiled for the CPU only: compile it with "
                              "CMAKE_ARGS=-DGGML_CUDA=on `make install`, point MODEL_HOST_ENGINE_BIN at a CUDA "
                              "build, or set USE_GPU=false")
    if s.quantization != "none":
        try:
            import bitsandbytes  # noqa: F401
        except ImportError:
            raise ConfigError(f"QUANTIZATION={s.quantization} needs bitsandbytes: run `USE_GPU=true python3 "
                              "model_host/install.py` (installs model_host/requirements-gpu.txt)") from None


def engine_binary(s: Settings) -> Path:
    """The llama-server to run: MODEL_HOST_ENGINE_BIN, else the one compiled for this machine."""
    if s.engine_binary:
        if not Path(s.engine_binary).is_file():
            raise ConfigError(f"MODEL_HOST_ENGINE_BIN={s.engine_binary} does not exist")
        return Path(s.engine_binary)
    from model_host.install import installed_server

    if (binary := installed_server()) is None:
        raise ConfigError("llama-server is not compiled for this machine yet: run `make install` (or point "
                          "MODEL_HOST_ENGINE_BIN at a llama-server binary)")
    return binary


def check_engine(s: Settings) -> None:
    if s.llm_is_gguf:
        engine_binary(s)


def preflight(s: Settings) -> None:
    s.check_combination()
    check_hardware(s)
    check_engine(s)
    check_embedding_model(s)
    check_index_embedding_model(s)
    check_chat_model(s)
