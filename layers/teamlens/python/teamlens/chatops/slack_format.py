"""What teamlens posts into Slack, made safe to post (pure).

The bot's messages carry text it did not write: the team's messages quoted as evidence, titles, a model's
answer built from them. Two rules keep that text from acting as the bot:
- Slack's control characters are escaped (`&`, `<`, `>`, as Slack documents), so a quoted `<!channel>` or
  `<@U…>` is shown, never sent as a mention, and only the links teamlens builds itself are links;
- a line that reads like an instruction (to ignore rules, to act as someone, to post or ping) is shown as
  a quotation of its source, so the channel never reads it as teamlens's own statement.
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
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reads_like_instruction(line: str) -> bool:
    return bool(INSTRUCTION.search(line))


def safe_text(text: str) -> str:
    """Escaped, with each line that reads like an instruction turned into a quotation (Slack's `>`)."""
    return "\n".join(f"> “{escape(line.strip())}”" if line.strip() and reads_like_instruction(line) else escape(line)
                     for line in text.split("\n"))


def link(url: str, label: str) -> str:
    return f"<{url.replace('>', '%3E').replace('|', '%7C')}|{escape(label).replace('|', '¦')}>"


def slack_text(markdown: str) -> str:
    """Markdown as Slack mrkdwn: headings and **bold** as *bold*, [text](url) as links; the rest made safe."""
    text = re.sub(r"^#{1,6}\s*(.+)$", r"*\1*", safe_text(markdown), flags=re.M)
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    return _MARKDOWN_LINK.sub(lambda m: f"<{m.group(2).replace('&amp;', '&')}|{m.group(1)}>", text)
