"""Merge-request review: static rules and a linter on the changed lines, the model per file within a token
budget, findings as JSON and markdown, and optional inline posting (draft notes, one bulk publish)."""
