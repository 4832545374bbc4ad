"""What teamlens posts into Slack, made safe to post (pure).

The bot's messages carry text it did not write: the team's messages quoted as evidence, titles, a model's
answer built from them. Two rules keep that text from acting as the bot:
- Slack's control characters are escaped (`&`, `<`, `>`, as Slack documents), so a quoted `<!channel>` or
  `<@U…>` is shown, never sent as a mention, and only the links teamlens builds itself are links;
- a line that reads like an instruction (to ignore rules, to act as someone, to post or ping) is shown as
  a quotation of its source (teamlens.instructions), so the channel never reads it as teamlens's own
  statement.
"""
from __future__ import annotations

import re

from teamlens.instructions import QUOTE, quote_instructions

_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_text(text: str) -> str:
    """Escaped, with each line that reads like an instruction turned into a quotation (Slack's `>`)."""
    return "\n".join(f"> {escape(line[2:])}" if line.startswith(QUOTE) else escape(line)
                      for line in quote_instructions(text).split("\n"))


def link(url: str, label: str) -> str:
    return f"<{url.replace('>', '%3E').replace('|', '%7C')}|{escape(label).replace('|', '¦')}>"


def slack_text(markdown: str) -> str:
    """Markdown as Slack mrkdwn: headings and **bold** as *bold*, [text](url) as links; the rest made safe."""
    text = re.sub(r"^#{1,6}\s*(.+)$", r"*\1*", safe_text(markdown), flags=re.MULTILINE)
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    return _MARKDOWN_LINK.sub(lambda m: f"<{m.group(2).replace('&amp;', '&')}|{m.group(1)}>", text)
