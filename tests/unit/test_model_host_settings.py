"""model_host.settings and packaged: configuration parsing, impossible combinations, weight stamps."""
from __future__ import annotations

import json

import pytest

from model_host.packaged import PACKAGED, QWEN_CODER_05B
from model_host.settings import ConfigError, Settings, parse_bool, parse_quantization


def test_defaults_are_the_packaged_models(env):
    _, dotenv = env
    s = Settings.from_env(dotenv)
    assert s.port == 8002 and not s.use_gpu and s.quantization == "none"
    assert s.embedding_model_id == "multilingual-e5-small" and s.llm_model_id == "qwen2.5-coder-0.5b-instruct"
    assert s.llm_is_gguf and s.llm_source().endswith("qwen2.5-coder-0.5b-instruct-q4.gguf")


def test_dotenv_is_read_and_environment_wins(env):
    monkeypatch, dotenv = env
    dotenv.write_text("MODEL_HOST_PORT=9100\nEMBEDDING_MODEL='sentence-transformers/x'\n")
    monkeypatch.setenv("MODEL_HOST_PORT", "9200")
    s = Settings.from_env(dotenv)
    assert s.port == 9200 and s.embedding_model == "sentence-transformers/x"
    assert s.embedding_source() == "sentence-transformers/x" and s.embedding_model_id == "sentence-transformers/x"


def test_local_paths_give_short_model_ids(env):
    monkeypatch, dotenv = env
    monkeypatch.setenv("EMBEDDING_MODEL", "/models/paraphrase-multilingual-MiniLM-L12-v2")
    monkeypatch.setenv("LLM_MODEL", "/models/other.gguf")
    s = Settings.from_env(dotenv)
    assert s.embedding_model_id == "paraphrase-multilingual-MiniLM-L12-v2" and s.llm_model_id == "other"


def test_four_bit_needs_a_gpu(env):
    monkeypatch, dotenv = env
    monkeypatch.setenv("QUANTIZATION", "4bit")
    with pytest.raises(ConfigError, match="needs a CUDA GPU"):
        Settings.from_env(dotenv)
    monkeypatch.setenv("USE_GPU", "true")
    with pytest.raises(ConfigError, match="GGUF file"):  # the default chat model is a GGUF
        Settings.from_env(dotenv)
    monkeypatch.setenv("LLM_MODEL", "stabilityai/japanese-stablelm-instruct-alpha-7b-v2")
    assert Settings.from_env(dotenv).quantization == "4bit"


@pytest.mark.parametrize("value,expected", [("4bit", "4bit"), ("INT4", "4bit"), ("", "none"), ("fp16", "none"),
                                            ("8-bit", "8bit")])
def test_quantization_names(value, expected):
    assert parse_quantization(value) == expected


def test_draft_tokens_default_off_switch_and_limit(env):
    monkeypatch, dotenv = env
    assert Settings.from_env(dotenv).draft_tokens == 6
    monkeypatch.setenv("MODEL_HOST_DRAFT_TOKENS", "0")  # plain decoding
    assert Settings.from_env(dotenv).draft_tokens == 0
    monkeypatch.setenv("MODEL_HOST_DRAFT_TOKENS", "65")
    with pytest.raises(ConfigError, match="MODEL_HOST_DRAFT_TOKENS=65 must be at most 64"):
        Settings.from_env(dotenv)
    monkeypatch.setenv("MODEL_HOST_DRAFT_TOKENS", "-1")
    with pytest.raises(ConfigError, match="MODEL_HOST_DRAFT_TOKENS=-1 must be at least 0"):
        Settings.from_env(dotenv)


def test_bad_values_are_named():
    with pytest.raises(ConfigError, match="QUANTIZATION='3bit'"):
        parse_quantization("3bit")
    with pytest.raises(ConfigError, match="USE_GPU='maybe'"):
        parse_bool("USE_GPU", "maybe")


def test_stamps_decide_whether_weights_are_assembled(tmp_path):
    model = QWEN_CODER_05B
    assert not model.is_assembled(tmp_path)
    model.output_path(tmp_path).write_bytes(b"GGUF")
    assert not model.is_assembled(tmp_path)  # no stamp: an interrupted assembly
    model.stamp_path(tmp_path).write_text(json.dumps(model.expected_stamp()))
    assert model.is_assembled(tmp_path)
    model.stamp_path(tmp_path).write_text(json.dumps({**model.expected_stamp(), "source_sha256": "0" * 64}))
    assert not model.is_assembled(tmp_path)  # assembled from another version of the weights


def test_every_packaged_model_is_pinned():
    for model in PACKAGED.values():
        assert len(model.source_sha256) == 64 and model.licence
        for part in model.parts:
            assert len(part.wheel_sha256) == 64 and part.version


def test_the_packaged_15b_chat_model_is_selected_by_name(env, tmp_path):
    from model_host.install import wanted_models
    from model_host.packaged import QWEN_CODER_15B

    _, dotenv = env
    dotenv.write_text("LLM_MODEL=qwen2.5-coder-1.5b-instruct\nMODEL_HOST_MODELS_DIR=/m\n")
    s = Settings.from_env(dotenv)
    assert s.llm_is_packaged and s.llm_is_gguf
    assert s.llm_source() == f"/m/{QWEN_CODER_15B.output}"
    assert s.llm_model_id == "qwen2.5-coder-1.5b-instruct"
    # Installed: the selected model beside the defaults the tests run on; not every packaged model.
    assert QWEN_CODER_15B.name in wanted_models(s)
    assert QWEN_CODER_15B.name not in wanted_models(Settings.from_env(tmp_path / "none.env"))


def test_chat_slots_and_queues(env):
    monkeypatch, dotenv = env
    s = Settings.from_env(dotenv)
    assert (s.chat_slots, s.chat_queue_size, s.batch_queue_size) == (4, 4, 256)
    monkeypatch.setenv("MODEL_HOST_CHAT_SLOTS", "0")
    with pytest.raises(ConfigError, match="MODEL_HOST_CHAT_SLOTS=0 must be at least 1"):
        Settings.from_env(dotenv)


def test_nice_is_bounded(env):
    monkeypatch, dotenv = env
    assert Settings.from_env(dotenv).nice == -10
    monkeypatch.setenv("MODEL_HOST_NICE", "-21")
    with pytest.raises(ConfigError, match="MODEL_HOST_NICE=-21 must be between -20 and 19"):
        Settings.from_env(dotenv)
