"""Query analysis shared by every backend: words, stop words, and the NHS synonym list.

A query becomes a list of *clauses*; every clause must match (AND) and a
clause matches when any of its alternative phrases does (OR).  Synonyms are
expanded here, at query time, so the embedded backend and Elasticsearch agree
on what "MSK" or "PbC" means (Elasticsearch also has them in its search
analyzer; expanding twice is harmless).
"""
from __future__ import annotations

import html
import re

from search.backends.base import MARK_END, MARK_START

#: Each group lists spellings that mean the same thing.  Multi-word entries are phrases.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("pbc", "practice based commissioning", "practice-based commissioning"),
    ("msk", "musculoskeletal", "musculo skeletal"),
    ("copd", "chronic obstructive pulmonary disease"),
    ("gpwsi", "gpwsis", "gp with special interest", "gps with special interests", "gp with a special interest"),
    ("a&e", "accident and emergency"),
    ("ltc", "long term conditions", "long-term conditions", "long term condition"),
    ("pct", "primary care trust"),
    ("pcts", "primary care trusts"),
    ("sha", "strategic health authority"),
    ("ppi", "patient and public involvement"),
    ("wcc", "world class commissioning"),
    ("lmc", "local medical committee"),
    ("dh", "doh", "department of health"),
    ("qof", "quality and outcomes framework"),
    ("pbr", "payment by results"),
    ("ooh", "out of hours"),
    ("ent", "ear nose and throat"),
    ("gp", "general practitioner"),
)

STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they "
    "this to was will with".split()
)

_WORD = re.compile(r"[a-z0-9]+(?:&[a-z0-9]+)?")


def words(text: str) -> list[str]:
    """Lower-case words; "A&E" stays one word so it can meet its synonym."""
    return _WORD.findall(text.lower().replace("-", " ").replace("\u2019", "'"))


def _phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(words(phrase))


_SYNONYM_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {}
for _group in SYNONYMS:
    for _spelling in _group:
        _SYNONYM_PHRASES[_phrase_words(_spelling)] = _group
_LONGEST = max(len(key) for key in _SYNONYM_PHRASES)


def parse_query(query: str) -> list[list[tuple[str, ...]]]:
    """Clauses of alternative phrases (each a tuple of words), synonyms expanded, stop words dropped.

    >>> parse_query("MSK triage")
    [[('msk',), ('musculoskeletal',)], [('triage',)]]
    """
    tokens = words(query)[:32]
    clauses: list[list[tuple[str, ...]]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST, len(tokens) - i), 0, -1):
            group = _SYNONYM_PHRASES.get(tuple(tokens[i:i + size]))
            if group:
                alternatives: list[tuple[str, ...]] = []
                for spelling in group:
                    phrase = _phrase_words(spelling)
                    if phrase not in alternatives:
                        alternatives.append(phrase)
                clauses.append(alternatives)
                i += size
                break
        else:
            if tokens[i] not in STOP_WORDS:
                clauses.append([(tokens[i],)])
            i += 1
    return clauses


def plain_terms(query: str) -> list[str]:
    """The query's words without stop words, in order (for spelling suggestions)."""
    return [word for word in words(query) if word not in STOP_WORDS]


def marked_to_html(text: str) -> str:
    """Escape engine output and turn the private markers into <mark> — the only tag a highlight may carry."""
    escaped = html.escape(text, quote=False)
    # Unbalanced markers (a fragment cut mid-match) are closed or dropped.
    out, open_ = [], False
    for ch in escaped:
        if ch == MARK_START and not open_:
            out.append("<mark>")
            open_ = True
        elif ch == MARK_END and open_:
            out.append("</mark>")
            open_ = False
        elif ch not in (MARK_START, MARK_END):
            out.append(ch)
    if open_:
        out.append("</mark>")
    return "".join(out).replace("</mark> <mark>", " ")


def plain_excerpt(text: str, length: int = 240) -> str:
    """An escaped opening excerpt when the engine found nothing to highlight (a match in the title only)."""
    text = " ".join(text.split())
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + "…"
    return html.escape(text, quote=False)
