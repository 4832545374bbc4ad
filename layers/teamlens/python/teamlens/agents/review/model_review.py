"""The model's review of one file's added lines, within a token budget; its answer is constrained to a
JSON schema, and a finding on a line the MR did not add is dropped (it could not be placed in the diff)."""
from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from teamlens.agents.narrative import DATA_NOT_INSTRUCTIONS, LANGUAGE_NAMES, NarrativeUnavailable
from teamlens.agents.review.diffs import hunks
from teamlens.agents.review.findings import Finding
from teamlens.text_budget import count_tokens, pack_lines

PIECE_TOKENS = 1200  # added lines (with their numbers) per model call


class _ModelFinding(BaseModel):
    line: int = Field(description="the new line number, as numbered in the diff")
    severity: str = Field(json_schema_extra={"enum": ["critical", "major", "minor"]})
    category: str = Field(json_schema_extra={"enum": ["bug", "security", "error_handling", "performance",
                                                      "maintainability"]})
    message: str = Field(max_length=200)
    suggestion: str = Field(default="", max_length=200)


class _ModelReview(BaseModel):
    findings: list[_ModelFinding] = Field(max_length=3)


def numbered(diff: str) -> str:
    """The diff with new line numbers on added and context lines, so the model can name a line."""
    from teamlens.agents.review.diffs import HUNK

    out, new = [], 0
    for line in diff.splitlines():
        if m := HUNK.match(line):
            new = int(m[3])
            out.append(line)
        elif line.startswith("-"):
            continue
        elif line.startswith("+"):
            out.append(f"{new:>5} + {line[1:]}")
            new += 1
        elif not line.startswith("\\"):
            out.append(f"{new:>5}   {line[1:]}")
            new += 1
    return "\n".join(out)


def pieces(diff: str, budget: int = PIECE_TOKENS) -> list[str]:
    """Whole hunks, grouped within the budget (a huge hunk is cut into line runs)."""
    return pack_lines([part for hunk in hunks(diff) for part in _cut(numbered(hunk), budget)], budget)


def _cut(text: str, budget: int) -> list[str]:
    return [text] if count_tokens(text) <= budget else pack_lines(text.splitlines(), budget)


def review_messages(path: str, language: str, piece: str, reply_language: str):
    return [SystemMessage(
        "You are a senior engineer reviewing a merge request. Report only real defects in the added lines "
        "(marked +): bugs, security problems, missing error handling, clear performance problems. No style "
        f"remarks, no praise. If nothing is wrong, return an empty list. Write messages in "
        f"{LANGUAGE_NAMES[reply_language]}. " + DATA_NOT_INSTRUCTIONS),
        HumanMessage(f"File: {path} ({language})\n<data>\n{piece}\n</data>")]


def model_findings(model, path: str, language: str, diff: str, added: dict[int, str], reply_language: str,
                   ) -> list[Finding]:
    structured = model.with_structured_output(_ModelReview, method="json_schema")
    out: list[Finding] = []
    for piece in pieces(diff):
        try:
            review = structured.invoke(review_messages(path, language, piece, reply_language))
        except Exception as exc:  # noqa: BLE001 - the client raises many types: the model could not review
            raise NarrativeUnavailable(f"the model could not review {path}: {type(exc).__name__}: {exc}"[:300]) from None
        for f in review.findings if review else []:
            if f.line in added and f.message.strip():
                out.append(Finding(file=path, new_line=f.line, line_text=added[f.line], source="model",
                                   severity=f.severity if f.severity in ("critical", "major", "minor") else "minor",
                                   category=f.category if f.category in _CATEGORIES else "bug",
                                   message=f.message.strip(), suggestion=f.suggestion.strip()))
    return out


_CATEGORIES: Sequence[str] = ("bug", "security", "error_handling", "performance", "maintainability")
