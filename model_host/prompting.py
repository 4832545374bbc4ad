"""Prompt formatting: each model's own chat template, plus the instruction that tells a model the JSON
schema its answer is constrained to. Pure functions."""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from model_host.schemas import ChatMessage

# Used when a model ships no chat template at all (ChatML, which Qwen and many others use).
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# japanese-stablelm-instruct-alpha-7b-v2's model card: an Alpaca-style Japanese instruction format.
STABLELM_JA_SYSTEM = "以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。"


def message_dicts(messages: Iterable[ChatMessage]) -> list[dict[str, Any]]:
    """Messages as chat templates expect them: plain-text content; 'developer' is the newer 'system'."""
    out = []
    for m in messages:
        d: dict[str, Any] = {"role": "system" if m.role == "developer" else m.role, "content": m.text()}
        if m.name:
            d["name"] = m.name
        out.append(d)
    return out


def schema_instruction(schema: dict[str, Any] | None, name: str | None = None) -> str:
    """What the model is told; the constrained decoding enforces it."""
    if schema is None:
        return "Answer with a single JSON object and nothing else."
    compact = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    label = f" ({name})" if name else ""
    return ("Answer with a single JSON object and nothing else. It must conform to this JSON schema"
            f"{label}:\n{compact}")


def with_instruction(messages: list[dict[str, Any]], instruction: str) -> list[dict[str, Any]]:
    """Append `instruction` to the system message (adding one first if there is none)."""
    out = [dict(m) for m in messages]
    if out and out[0]["role"] == "system":
        out[0]["content"] = f"{out[0]['content']}\n\n{instruction}".strip()
    else:
        out.insert(0, {"role": "system", "content": instruction})
    return out


def _tojson(value: Any, indent: int | None = None) -> str:
    # Hugging Face's templates expect non-ASCII kept as-is (Jinja's own tojson escapes HTML characters).
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _raise(message: str) -> None:
    raise ValueError(f"chat template: {message}")


@lru_cache(maxsize=8)
def _compiled(template: str):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise
    # The machine's local time, as transformers gives chat templates.
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)  # noqa: DTZ005
    return env.from_string(template)


def render_chat_template(template: str, messages: list[dict[str, Any]], *, bos_token: str = "",
                         eos_token: str = "", add_generation_prompt: bool = True) -> str:
    """Render a Hugging Face style (Jinja) chat template, as transformers' apply_chat_template does."""
    return _compiled(template).render(messages=messages, bos_token=bos_token, eos_token=eos_token,
                                      add_generation_prompt=add_generation_prompt, tools=None)


def stablelm_ja_alpha_prompt(messages: list[dict[str, Any]]) -> str:
    """japanese-stablelm-instruct-alpha-7b-v2 format: system text, then `### 指示:` / `### 応答:` turns."""
    system = "\n".join(m["content"] for m in messages if m["role"] == "system") or STABLELM_JA_SYSTEM
    prompt = system
    for m in messages:
        if m["role"] == "user":
            prompt += "\n\n### 指示: \n" + m["content"]
        elif m["role"] == "assistant":
            prompt += "\n\n### 応答: \n" + m["content"]
        elif m["role"] == "tool":
            prompt += "\n\n### 入力: \n" + m["content"]
    return prompt + "\n\n### 応答: \n"
