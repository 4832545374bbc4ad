"""Cheap static checks on the lines a merge request adds (pure; `load` reads another file of the repository
at the MR's head, to learn which imported functions are async).

Each rule targets a defect class that linters for the language commonly miss or that reviewers most often
catch by hand: committed secrets, SQL built by string formatting, bare `except:`, loop bounds that read
past the end, and calls to async functions whose result is never awaited.
"""
from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable

from teamlens.agents.review.findings import Finding

Loader = Callable[[str], "str | None"]

_SECRET = re.compile(
    r"""(?P<name>[A-Za-z_][\w.-]*(?:secret|token|passw(?:or)?d|api[_-]?key|apikey|private[_-]?key|access[_-]?key|"""
    r"""client[_-]?secret|signing[_-]?key)[\w]*)["']?\s*[:=]\s*(?P<q>["'`])(?P<value>[^"'`\s]{12,})(?P=q)""", re.I)
_PLACEHOLDER = re.compile(r"^(?:x+|\*+|changeme|change-me|example|dummy|test|placeholder|your[_-].*|<.*>|\$\{.*\}|%\(.*\)s)$", re.I)
_SQL = re.compile(r"\b(?:SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WHERE|GROUP\s+BY|ORDER\s+BY|JOIN)\b", re.I)
_INTERPOLATION = re.compile(r"""\bf"[^"]*\{[^}]+\}|\bf'[^']*\{[^}]+\}|\$\{[^}]+\}|["']\s*%\s*[\w(]|\.format\(|["']\s*\+\s*\w""")
_BARE_EXCEPT = re.compile(r"^\s*except\s*:")
_LOOP_PAST_END = re.compile(r"\b(\w+)\s*<=\s*[\w.]*\.(?:length|size\(\)|count)\b")
_SLICE_MINUS_ONE = re.compile(r"\[\s*:\s*([A-Za-z_]\w*)\s*-\s*1\s*\]")
_TS_ASYNC_DEF = re.compile(
    r"\basync\s+function\s+(\w+)|\bfunction\s+(\w+)\s*\([^)]*\)\s*:\s*Promise<|\b(?:const|let)\s+(\w+)\s*=\s*async\b"
    r"|\b(?:const|let)\s+(\w+)\s*=\s*\([^)]*\)\s*:\s*Promise<")
_TS_IMPORT = re.compile(r"""import\s*\{([^}]+)\}\s*from\s*['"](\.{1,2}/[^'"]+)['"]""")
_TS_ASYNC_BLOCK = re.compile(r"\basync\b")


def check(path: str, language: str, content: str | None, added: dict[int, str], load: Loader) -> list[Finding]:
    found: list[Finding] = []
    for n, text in added.items():
        found += _line_rules(path, language, n, text, added)
    if content is not None:
        if language == "python":
            found += _py_unawaited(path, content, added, load)
        elif language in ("typescript", "javascript"):
            found += _ts_unawaited(path, content, added, load)
    return found


def _finding(path: str, n: int, text: str, **kw) -> Finding:
    return Finding(file=path, new_line=n, line_text=text, source="rule", **kw)


def _line_rules(path: str, language: str, n: int, text: str, added: dict[int, str]) -> list[Finding]:
    out = []
    if (m := _SECRET.search(text)) and _credential_like(m["value"]):
        out.append(_finding(path, n, text, severity="critical", category="hardcoded_secret", rule="secret-literal",
                            message=f"`{m['name']}` holds a literal credential committed to the repository; anyone "
                                    "with read access (and every build artefact) has it.",
                            suggestion=f"Read `{m['name']}` from configuration or a secret store, rotate the "
                                       "exposed value, and keep only a placeholder in code."))
    if _INTERPOLATION.search(text) and _in_sql(n, added):
        out.append(_finding(path, n, text, severity="critical", category="sql_injection", rule="sql-format",
                            message="Values are formatted into the SQL text: input reaching them can change the "
                                    "query (SQL injection) and breaks on quotes.",
                            suggestion="Pass the values as bind parameters ($1, %s or ?, per driver) instead of "
                                       "formatting them into the string."))
    if language == "python" and _BARE_EXCEPT.match(text):
        out.append(_finding(path, n, text, severity="major", category="bare_except", rule="bare-except",
                            message="A bare `except:` catches everything, including cancellation and "
                                    "KeyboardInterrupt, and hides the real error.",
                            suggestion="except Exception:  # or the specific errors, and log with logger.exception"))
    if language in ("typescript", "javascript", "java", "go", "csharp", "kotlin") and (m := _LOOP_PAST_END.search(text)):
        out.append(_finding(path, n, text, severity="major", category="off_by_one", rule="loop-past-end",
                            message=f"`{m[1]} <= ….length` runs one step past the end: the last iteration reads "
                                    "an element that does not exist.",
                            suggestion=text.strip().replace("<=", "<", 1)))
    if language == "python" and (m := _SLICE_MINUS_ONE.search(text)):
        out.append(_finding(path, n, text, severity="major", category="off_by_one", rule="slice-minus-one",
                            message=f"Slice ends are exclusive: `[:{m[1]} - 1]` keeps {m[1]} - 1 items, one "
                                    f"fewer than `{m[1]}`.",
                            suggestion=text.strip().replace(m[0], f"[:{m[1]}]", 1)))
    return out


def _credential_like(value: str) -> bool:
    """Machine-made: ASCII, with digits, not a placeholder, a lookup or an i18n label."""
    return (value.isascii() and any(c.isdigit() for c in value) and not _PLACEHOLDER.match(value)
            and not value.startswith(("os.", "process.", "env.", "settings.", "config.")) and "(" not in value)


def _in_sql(n: int, added: dict[int, str]) -> bool:
    """The line belongs to a statement that builds SQL: it or one of the 3 added lines before it says so."""
    return any(_SQL.search(added.get(k, "")) for k in range(n - 3, n + 1))


def _py_unawaited(path: str, content: str, added: dict[int, str], load: Loader) -> list[Finding]:
    try:
        tree = ast.parse(content)
    except SyntaxError:
        return []
    async_names = {node.name for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            wanted = {a.asname or a.name: a.name for a in node.names}
            source = load(node.module.replace(".", "/") + ".py") or load(node.module.replace(".", "/") + "/__init__.py")
            if source is None:
                continue
            try:
                defined = {d.name for d in ast.walk(ast.parse(source)) if isinstance(d, ast.AsyncFunctionDef)}
            except SyntaxError:
                continue
            async_names |= {local for local, name in wanted.items() if name in defined}
    out = []
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)):
        for stmt in ast.walk(fn):
            if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                    and (name := _call_name(stmt.value)) in async_names and stmt.lineno in added):
                out.append(_finding(path, stmt.lineno, added[stmt.lineno], severity="critical",
                                    category="missing_await", rule="unawaited-coroutine",
                                    message=f"`{name}(…)` is a coroutine function; called without `await` it "
                                            "never runs (Python only warns when the coroutine is collected).",
                                    suggestion=f"await {ast.unparse(stmt.value)}"[:300]))
    return out


def _call_name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _ts_async_names(source: str) -> set[str]:
    return {next(g for g in m.groups() if g) for m in _TS_ASYNC_DEF.finditer(source)}


def _ts_unawaited(path: str, content: str, added: dict[int, str], load: Loader) -> list[Finding]:
    async_names = _ts_async_names(content)
    for m in _TS_IMPORT.finditer(content):
        names = {part.split(" as ")[-1].strip() for part in m[1].split(",") if part.strip()}
        base = posixpath.normpath(posixpath.join(posixpath.dirname(path), m[2]))
        for candidate in (base + ext for ext in (".ts", ".tsx", ".js", "/index.ts", "/index.js")):
            if (source := load(candidate)) is not None:
                async_names |= names & _ts_async_names(source)
                break
    if not async_names:
        return []
    call = re.compile(r"^\s*(" + "|".join(map(re.escape, sorted(async_names))) + r")\s*\(")
    out = []
    lines = content.splitlines()
    for n, text in added.items():
        if (hit := call.match(text)) and _inside_async_ts(lines, n):
            out.append(_finding(path, n, text, severity="major", category="missing_await", rule="floating-promise",
                                message=f"`{hit[1]}(…)` returns a promise that is neither awaited nor handled: the "
                                        "code after it runs before it finishes, and its errors are unhandled.",
                                suggestion="await " + text.strip()))
    return out


def _inside_async_ts(lines: list[str], n: int) -> bool:
    """The nearest enclosing function declaration above line n is async (a brace-depth walk upwards)."""
    depth = 0
    for text in reversed(lines[: n - 1]):
        depth += text.count("}") - text.count("{")
        if depth < 0:
            if re.search(r"\bfunction\b|=>|\)\s*\{", text):
                return bool(_TS_ASYNC_BLOCK.search(text))
            depth = 0
    return False
