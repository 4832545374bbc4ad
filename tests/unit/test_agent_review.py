"""Pure parts of merge-request review: diff lines, skipped files, static rules, fingerprints, splitting."""
from __future__ import annotations

from teamlens.agents.review.diffs import FileDiff, added_lines, skip_reason
from teamlens.agents.review.findings import Finding, merge
from teamlens.agents.review.model_review import numbered, pieces
from teamlens.agents.review.rules import check

DIFF = """@@ -10,4 +10,6 @@ def page(rows, limit):
     x = 1
-    y = 2
+    y = 3
+    z = rows[: limit - 1]
     return x
@@ -40,2 +42,3 @@
     a = 1
+    b = 2
"""


def test_added_lines_carry_new_line_numbers():
    assert added_lines(DIFF) == {11: "    y = 3", 12: "    z = rows[: limit - 1]", 43: "    b = 2"}
    assert "   11 +     y = 3" in numbered(DIFF)


def test_lock_and_generated_files_are_skipped():
    assert skip_reason(FileDiff(old_path="package-lock.json", new_path="package-lock.json", diff="+x"))
    assert skip_reason(FileDiff(old_path="a", new_path="dist/app.min.js", diff="+x"))
    assert skip_reason(FileDiff(old_path="a.py", new_path="a.py", diff="", deleted_file=True))
    assert skip_reason(FileDiff(old_path="a.py", new_path="a.py", diff="+x")) is None


def _rules(path: str, code: str, load=lambda p: None):
    lines = code.strip("\n").splitlines()
    added = dict(enumerate(lines, start=1))
    lang = "python" if path.endswith(".py") else "typescript"
    return {(f.new_line, f.category) for f in check(path, lang, "\n".join(lines), added, load)}


def test_rules_find_each_defect_class():
    assert _rules("a.py", 'API_TOKEN = "tok-9f8e7d6c5b4a3210"') == {(1, "hardcoded_secret")}
    assert _rules("a.ts", "const MAPS_API_KEY = 'kmaps-live-4e8b1d7a9c2f6035';") == {(1, "hardcoded_secret")}
    assert _rules("a.py", 'q = f"SELECT * FROM t WHERE id = {user_id}"') == {(1, "sql_injection")}
    assert _rules("a.py", "try:\n    go()\nexcept:\n    pass") == {(3, "bare_except")}
    assert _rules("a.ts", "for (let i = 0; i <= xs.length; i++) {}") == {(1, "off_by_one")}
    assert _rules("a.py", "items = rows[: limit - 1]") == {(1, "off_by_one")}


def test_unawaited_coroutine_imported_from_another_file():
    code = "from app.db import execute\n\nasync def handler():\n    execute('INSERT 1')\n    await execute('x')\n"
    load = {"app/db.py": "async def execute(q):\n    ...\n"}.get
    assert _rules("app/h.py", code, load) == {(4, "missing_await")}
    assert _rules("app/h.py", code) == set()  # not knowable without the other file: no guess


def test_floating_promise_in_an_async_function():
    code = ("import { save } from './api';\n\nexport function C() {\n  async function toggle() {\n"
            "    save(1);\n    await save(2);\n  }\n  function sync() {\n    save(3);\n  }\n}\n")
    load = {"api.ts": "export function save(x: number): Promise<void> { return fetch('/x'); }"}.get
    assert _rules("c.tsx", code, load) == {(5, "missing_await")}


def test_clean_code_has_no_findings():
    code = ('import os\n\nPASSWORD_LABEL = "パスワード"\nTOKEN = os.environ["TOKEN"]\n'
            'rows = await fetch("SELECT * FROM t WHERE id = $1", user_id)\nfor i in range(len(xs)):\n    pass\n')
    assert _rules("a.py", code) == set()


def test_fingerprint_follows_the_line_text_not_its_number():
    a = Finding(file="a.py", new_line=3, severity="major", category="bug", message="m", line_text="x = 1")
    b = a.model_copy(update={"new_line": 9})
    assert a.fingerprint == b.fingerprint and f"teamlens-review:{a.fingerprint}" in a.comment()


def test_merge_keeps_one_finding_per_line_and_category_preferring_rules():
    rule = Finding(file="a.py", new_line=3, severity="critical", category="bug", message="rule", source="rule")
    lint = rule.model_copy(update={"message": "lint", "source": "lint"})
    other = rule.model_copy(update={"category": "security", "source": "model"})
    assert [(f.message, f.category) for f in merge([lint, other, rule])] == [("rule", "bug"), ("rule", "security")]


def test_large_diffs_are_split_within_the_budget():
    diff = "@@ -1,0 +1,400 @@\n" + "\n".join(f"+line_{i} = compute({i}, 'value')" for i in range(400))
    parts = pieces(diff, budget=300)
    assert len(parts) > 3
    assert sum(p.count(" + ") for p in parts) == 400


def _loop_diff() -> FileDiff:
    text = ["def total(items):", "    s = 0", "    for i in range(len(items)):", "        s += items[i]",
            "    try:", "        return s", "    except:", "        return 0"]
    return FileDiff(old_path="calc.py", new_path="calc.py", new_file=True,
                    diff=f"@@ -0,0 +1,{len(text)} @@\n" + "\n".join("+" + t for t in text) + "\n")


def test_incremental_review_keeps_only_the_new_lines():
    from teamlens.agents.review.agent import review_diffs

    d = _loop_diff()
    content = "\n".join(t for t in d.added.values()) + "\n"
    whole = review_diffs([d], lambda _p: content, model=None, mode="off", language="en", progress=lambda *a: None)
    assert any(f.new_line == 7 and f.rule == "bare-except" for f in whole.findings), whole.findings
    old_lines = review_diffs([d], lambda _p: content, model=None, mode="off", language="en",
                             progress=lambda *a: None, only={"calc.py": {1, 2, 3}})
    assert not any(f.new_line == 7 for f in old_lines.findings) and old_lines.files == 1
    untouched = review_diffs([d], lambda _p: content, model=None, mode="off", language="en",
                             progress=lambda *a: None, only={"other.py": {1}})
    assert untouched.files == 0 and untouched.findings == []


class _Compare:
    def __init__(self, reply=None, error=None):
        self.reply, self.error = reply, error

    def compare(self, project_id, start, end):
        if self.error:
            raise self.error
        return self.reply


def test_new_lines_come_from_compare_and_fall_back_to_the_whole_mr():
    import pytest

    from teamlens.agents.errors import SourceDown
    from teamlens.agents.review.agent import _new_lines
    from teamlens.sources import SourceError

    head = "b" * 40
    assert _new_lines(_Compare(), 1, None, head) == (None, [])
    assert _new_lines(_Compare(), 1, head[:12], head) == ({}, ["nothing new since bbbbbbbb"])
    reply = {"commits": [{"id": head}], "compare_same_ref": False,
             "diffs": [{"new_path": "a.py", "diff": "@@ -1,1 +1,2 @@\n x\n+y\n", "deleted_file": False},
                       {"new_path": "gone.py", "diff": "@@ -1 +0,0 @@\n-x\n", "deleted_file": True}]}
    assert _new_lines(_Compare(reply), 1, "a" * 40, head) == ({"a.py": {2}}, [])
    only, notes = _new_lines(_Compare({"commits": [], "diffs": [], "compare_same_ref": False}), 1, "a" * 40, head)
    assert only is None and "force push" in notes[0]
    only, notes = _new_lines(_Compare(error=SourceError("gitlab", "404 Not found", 404)), 1, "a" * 40, head)
    assert only is None and "reviewed the whole MR" in notes[0]
    with pytest.raises(SourceDown):
        _new_lines(_Compare(error=SourceError("gitlab", "503", 503)), 1, "a" * 40, head)
