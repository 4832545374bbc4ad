"""model_host.prompting: chat templates render as transformers does; schema instructions; StableLM format."""
from __future__ import annotations

import json

from model_host.prompting import (
    CHATML_TEMPLATE,
    message_dicts,
    render_chat_template,
    schema_instruction,
    stablelm_ja_alpha_prompt,
    with_instruction,
)
from model_host.schemas import ChatMessage

QWEN_LIKE = (
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}{{- '<|im_start|>system\\nYou are helpful.<|im_end|>\\n' }}{%- endif %}"
    "{%- for m in messages %}{%- if m.role != 'system' %}"
    "{{- '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def test_renders_a_qwen_style_template():
    out = render_chat_template(QWEN_LIKE, [{"role": "user", "content": "こんにちは"}])
    assert out == ("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nこんにちは<|im_end|>\n"
                   "<|im_start|>assistant\n")


def test_chatml_fallback_and_bos_token():
    out = render_chat_template("{{ bos_token }}" + CHATML_TEMPLATE, [{"role": "user", "content": "hi"}],
                               bos_token="<s>")
    assert out.startswith("<s><|im_start|>user\nhi<|im_end|>\n") and out.endswith("<|im_start|>assistant\n")


def test_tojson_keeps_non_ascii():
    assert render_chat_template("{{ messages[0] | tojson }}", [{"role": "user", "content": "日本"}]) == \
        json.dumps({"role": "user", "content": "日本"}, ensure_ascii=False)


def test_template_errors_surface_as_value_errors():
    try:
        render_chat_template("{{ raise_exception('roles must alternate') }}", [])
    except ValueError as exc:
        assert "roles must alternate" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_message_dicts_flatten_parts_and_map_developer_to_system():
    msgs = [ChatMessage(role="developer", content="rules"),
            ChatMessage.model_validate({"role": "user", "content": [{"type": "text", "text": "a"},
                                                                     {"type": "text", "text": "b"}]})]
    assert message_dicts(msgs) == [{"role": "system", "content": "rules"}, {"role": "user", "content": "ab"}]


def test_schema_instruction_is_added_to_the_system_message():
    schema = {"type": "object", "properties": {"名前": {"type": "string"}}}
    text = schema_instruction(schema, "person")
    assert '"名前"' in text and "(person)" in text
    msgs = with_instruction([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "x"}], text)
    assert msgs[0]["content"].startswith("Be brief.\n\n") and len(msgs) == 2
    msgs = with_instruction([{"role": "user", "content": "x"}], text)
    assert msgs[0] == {"role": "system", "content": text}


def test_stablelm_alpha_prompt_format():
    prompt = stablelm_ja_alpha_prompt([{"role": "user", "content": "要約して"},
                                       {"role": "assistant", "content": "はい"},
                                       {"role": "user", "content": "もっと短く"}])
    assert prompt.startswith("以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。")
    assert "\n\n### 指示: \n要約して\n\n### 応答: \nはい\n\n### 指示: \nもっと短く" in prompt
    assert prompt.endswith("\n\n### 応答: \n")
