"""Unit-test fixtures shared by the model host's settings tests."""
from __future__ import annotations

import pytest

# Every variable model_host.settings reads that a developer's shell may have set.
MODEL_HOST_VARIABLES = ("EMBEDDING_MODEL", "INDEX_EMBEDDING_MODEL", "LLM_MODEL", "USE_GPU", "QUANTIZATION",
                        "MODEL_HOST_PORT", "MODEL_HOST_MODELS_DIR", "MODEL_HOST_CHAT_QUEUE",
                        "MODEL_HOST_DRAFT_TOKENS", "MODEL_HOST_CHAT_SLOTS")


@pytest.fixture
def env(monkeypatch, tmp_path):
    """(monkeypatch, an empty .env file) with none of the model host's variables set."""
    for name in MODEL_HOST_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    dotenv = tmp_path / ".env"
    dotenv.write_text("")
    return monkeypatch, dotenv
