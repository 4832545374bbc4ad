"""Exercise the transformers chat backend on CPU with the packaged GGUF (transformers dequantizes it), and
print what happened as JSON. Run with the model host venv's Python from the repository root:

    run_transformers_backend.py MODELS_DIR GGUF_FILE
"""
from __future__ import annotations

import json
import sys
import threading
import time

from model_host.chat_transformers import TransformersChat
from model_host.generation import Cancelled, GenerationParams
from model_host.prompting import stablelm_ja_alpha_prompt


def main(models_dir: str, gguf_file: str) -> None:
    chat = TransformersChat(models_dir, model_id="qwen-via-transformers", context_tokens=4096, threads=2,
                            use_gpu=False, quantization="none", gguf_file=gguf_file)
    prompt = chat.format_prompt([{"role": "user", "content": "Count from 1 to 10, separated by commas."}])
    streamed: list[str] = []
    stopped = chat.generate(prompt, GenerationParams(max_tokens=40, temperature=0.0, stop=("6",)),
                            threading.Event(), streamed.append)
    limited = chat.generate(prompt, GenerationParams(max_tokens=3, temperature=0.0), threading.Event())
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    started = time.monotonic()
    try:
        chat.generate(prompt, GenerationParams(max_tokens=500, temperature=0.7), cancel)
        cancelled_after = None
    except Cancelled:
        cancelled_after = time.monotonic() - started
    print(json.dumps({
        "prompt_tail": prompt[-60:], "context_tokens": chat.context_tokens,
        "stopped": {"text": stopped.text, "finish": stopped.finish_reason, "streamed": "".join(streamed)},
        "limited": {"finish": limited.finish_reason, "tokens": limited.completion_tokens},
        "cancelled_after_s": cancelled_after,
        "stablelm_prompt": stablelm_ja_alpha_prompt([{"role": "user", "content": "こんにちは"}]),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
