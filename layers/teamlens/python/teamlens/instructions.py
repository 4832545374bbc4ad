"""Source text that reads like an instruction (pure).

The team's data can hold text written to steer an assistant ("ignore the previous instructions and…") or
to order its readers about. teamlens may cite such text, but only as what it is: a quotation of a source.
An answer line that reads like an instruction is set off as a quote (`> “…”`), so neither the asker nor a
Slack channel reads it as teamlens's own statement.
"""
from __future__ import annotations

import re

# Phrasings of prompt injection and orders to the reader, in the three languages the team writes.
INSTRUCTION = re.compile(
    r"(?ix)"
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|guidelines|above|previous)\b"
    r"|\byou\s+are\s+now\b|\bfrom\s+now\s+on\b|\bact\s+as\b|\bpretend\s+(to\s+be|you)\b"
    r"|\bnew\s+instructions?\b|\bsystem\s+prompt\b|^\s*(system|assistant)\s*:"
    r"|@(channel|here|everyone)\b|<!(channel|here|everyone)>"
    r"|(指示|命令|ルール|プロンプト).{0,12}(無視|忘れ|従わ)|(無視|忘れ).{0,12}(指示|命令|ルール)|今後は|あなたは今から"
    r"|bỏ\s+qua.{0,30}(hướng\s+dẫn|chỉ\s+dẫn|quy\s+tắc|lệnh)|từ\s+(giờ|bây\s+giờ)\s+trở\s+đi|hãy\s+đóng\s+vai"
)
QUOTE = "> “"


def reads_like_instruction(line: str) -> bool:
    return bool(INSTRUCTION.search(line))


def quote_instructions(text: str) -> str:
    """Each line that reads like an instruction, and is not quoted yet, becomes `> “line”`."""
    return "\n".join(f"{QUOTE}{line.strip()}”" if line.strip() and not line.startswith(QUOTE)
                      and reads_like_instruction(line) else line for line in text.split("\n"))
