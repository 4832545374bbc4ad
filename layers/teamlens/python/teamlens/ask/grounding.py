"""Whether the retrieved passages can be about what a question names at all (pure, language-free).

A question that names something specific — a version (v2.6), an issue or MR key (BOOK-61, !22), a product
or a person written in Latin script (Stripe, Yamamoto), a token mixing letters and digits (p95) — cannot be
answered by passages that never mention it, however close they come otherwise: "When is v2.6 planned?"
retrieves the v2.4 milestone, and a small model then answers with v2.4's date. Such a question gets "not
found", naming what is missing, instead of a nearby fact.

Only Latin-script terms are checked: they are written the same in the three languages' texts (a Japanese or
Vietnamese question names "Safari 14" or "EBS" as the English one does), while a name in kana or kanji may be
written differently in the data. Pure numbers and dates are not checked: their formats differ between texts.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"  # with the accented letters of Vietnamese and European names
_TOKEN = re.compile(rf"[!#]\d+|\d+(?:\.\d+)+|[{_LATIN}][{_LATIN}0-9]*(?:[-_./][{_LATIN}0-9]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.?!。？！\n]\s*)$")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Capitalized words that name no particular thing: question words, the tools' and sources' own names,
# calendar words and generic acronyms (a question says "MR" where the data says "merge request").
_GENERIC = frozenset("""
i a an the what who when where why how which whose is are was were do does did can could would should will
mr mrs ms pr prs api apis qa ui ux db ci cd id ids url urls ok am pm jst ict utc gmt eta fyi asap tl dr
slack gitlab backlog teamlens team jira github aws
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
japan japanese vietnam vietnamese english
""".split())


def fold(text: str) -> str:
    """NFKC, case-folded, without diacritics ("Bảo" and "Bao", "ＥＢＳ" and "ebs" are one term)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("đ", "d")


def specific_terms(question: str) -> list[str]:
    """The terms of a question that name something specific, folded, in order."""
    text = unicodedata.normalize("NFKC", question)
    japanese = bool(_JAPANESE.search(text))
    terms: list[str] = []
    for m in _TOKEN.finditer(text):
        token = m.group()
        bare = token.lstrip("!#")
        has_digit = any(c.isdigit() for c in bare)
        if has_digit and not any(c.isalpha() for c in bare) and "." not in bare and token == bare:
            continue  # a plain number
        if not has_digit:
            if fold(bare) in _GENERIC or not bare[0].isupper() or len(bare) < 2:
                continue
            if not japanese and _SENTENCE_START.search(text[:m.start()]) and bare[1:].islower():
                continue  # capitalized because it starts the sentence (Japanese has no capitals of its own)
        terms.append(fold(token))
    return list(dict.fromkeys(terms))


def _mentions(folded_texts: str, term: str) -> bool:
    if term[0] in "!#":  # a merge request or issue number: "kumo/api!42", "#12"
        return re.search(rf"{re.escape(term)}(?!\d)", folded_texts) is not None
    variants = {term}
    if re.fullmatch(r"v\d+(?:\.\d+)+", term):
        variants.add(term[1:])  # "v2.6" is also written "2.6"
    return any(re.search(rf"(?<![\w.]){re.escape(v)}(?![\w]|\.\d)", folded_texts) for v in variants)


def missing_terms(question: str, texts: Iterable[str]) -> list[str]:
    """The question's specific terms that none of `texts` mentions."""
    terms = specific_terms(question)
    if not terms:
        return []
    haystack = "\n".join(fold(t) for t in texts)
    return [t for t in terms if not _mentions(haystack, t)]


def quoted(question: str, folded_terms: list[str]) -> str:
    """The missing terms as the question wrote them, quoted: "“v2.6”", "“Sentry”, “Datadog”"."""
    text = unicodedata.normalize("NFKC", question)
    written = {fold(m.group()): m.group() for m in _TOKEN.finditer(text)}
    return ", ".join(f"“{written.get(t, t)}”" for t in folded_terms)
