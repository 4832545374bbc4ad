"""Generate greedily from the same prompts with plain decoding and with prompt-lookup drafts, on the packaged
GGUF chat model, and print what each produced as JSON. Run with the model host venv's Python:

    run_prompt_lookup.py GGUF_FILE
"""
from __future__ import annotations

import json
import sys
import threading

from model_host.chat_llama import LlamaCppChat
from model_host.generation import GenerationParams

SYSTEM = ("You answer questions about a software team's work using ONLY the numbered facts. Put the fact "
          "number in brackets after each claim, like [1].")
ASKS = [
    ("When was the v2.4 release moved to, and who decided?",
     ["[1] Tanaka Hiroshi: The v2.4 release moves from Friday 13/11 to Friday 27/11 (decided by Tanaka).",
      "[2] Code freeze: Tuesday 24/11."]),
    ("ログイン試行は何回まで？",
     ["[1] 佐藤: ログイン試行は5回までに制限し、超えたら15分ロックします。", "[2] BOOK-31: ログイン画面の文言修正"]),
    ("Release v2.4 được dời sang ngày nào?",
     ["[1] Đỗ Thanh Hương: Thông báo: release v2.4 dời từ thứ Sáu 13/11 sang thứ Sáu 27/11.",
      "[2] Code freeze: thứ Ba 24/11."]),
    ("Which date library did the frontend choose?",
     ["[1] Lê Minh: The frontend uses date-fns instead of moment, because moment is no longer maintained.",
      "[2] MR !14: chore(deps): bump vite"]),
]


def main(path: str) -> None:
    engines = {"plain": LlamaCppChat(path, context_tokens=2048, threads=2, use_gpu=False),
               "lookup": LlamaCppChat(path, context_tokens=2048, threads=2, use_gpu=False, draft_tokens=6)}
    params = GenerationParams(max_tokens=48, temperature=0.0, stop=("\n",))
    report: dict[str, list] = {name: [] for name in engines}
    for question, facts in ASKS:
        user = f"Question: {question}\n\nFacts:\n" + "\n".join(facts) + "\n\nAnswer in one sentence."
        for name, engine in engines.items():
            prompt = engine.format_prompt([{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}])
            gen = engine.generate(prompt, params, threading.Event())
            report[name].append({"text": gen.text, "tokens": gen.completion_tokens, "passes": gen.forward_passes,
                                 "seconds": round(gen.seconds, 3)})
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
