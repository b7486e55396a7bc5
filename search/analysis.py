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

# Words that say nothing about what a piece of writing is about, for picking its key terms
# ("similar work"): the query stop words plus the question words people write with.
TEXT_STOP_WORDS = STOP_WORDS | frozenset(
    "about above after again all also am any anyone anything been before being both can could did do does doing done "
    "each even from get got had has have having he her here hers him his how i i'm its just know like me more most "
    "much must my need our ours out over own please same she should so some than thank thanks them those through "
    "too under until up us very want was we were what when where which while who whom why would you your yours "
    "one two new use used using way well work working".split()
)


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


def key_terms(text: str, limit: int = 25) -> list[tuple[str, int]]:
    """The words that best say what ``text`` is about, with how often each occurs, most frequent first.

    Engine-safe words only (letters and digits, three or more characters, not
    all digits), stop words and question words left out; ties keep the order
    of first appearance.  The embedded backend's "similar work" weighs these
    by how rare they are in the index.
    """
    from collections import Counter

    found = [w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if len(w) >= 3 and not w.isdigit() and w not in TEXT_STOP_WORDS]
    counts = Counter(found)
    first = {w: n for n, w in reversed(list(enumerate(found)))}
    return sorted(counts.items(), key=lambda item: (-item[1], first[item[0]]))[:limit]
