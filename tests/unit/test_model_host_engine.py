"""model_host.chat_server.server_command: the engine's command line follows the settings."""
from __future__ import annotations

import itertools
from pathlib import Path

from model_host.chat_server import server_command


def args(cmd: list[str]) -> dict[str, str]:
    return {a: b for a, b in itertools.pairwise(cmd) if a.startswith("--")}


def test_each_slot_can_hold_a_whole_context_and_speculation_follows_draft_tokens():
    cmd = server_command(Path("/bin/llama-server"), "/m/q.gguf", port=4321, slots=4, context_tokens=4096,
                         threads=2, draft_tokens=6, use_gpu=False)
    a = args(cmd)
    assert cmd[0] == "/bin/llama-server" and a["--model"] == "/m/q.gguf" and a["--host"] == "127.0.0.1"
    assert a["--parallel"] == "4" and a["--ctx-size"] == str(4 * 4096) and "--kv-unified" in cmd
    assert a["--threads"] == a["--threads-batch"] == "2" and a["--n-gpu-layers"] == "0"
    assert a["--spec-type"] == "ngram-simple" and a["--spec-ngram-simple-size-m"] == "6"
    assert "--no-webui" in cmd and "--metrics" in cmd


def test_no_speculation_and_gpu_offload():
    cmd = server_command(Path("/x"), "/m/q.gguf", port=1, slots=1, context_tokens=2048, threads=8,
                         draft_tokens=0, use_gpu=True)
    assert "--spec-type" not in cmd and args(cmd)["--n-gpu-layers"] == "999" and args(cmd)["--ctx-size"] == "2048"
