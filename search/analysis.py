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
from dataclasses import dataclass

MARK_START = "\ue000"
MARK_END = "\ue001"

#: Each group lists spellings that mean the same thing (plurals too).  Multi-word entries are phrases.  The
#: first multi-word entry of a group is its *long form*: what an abbreviation written in capitals stands for.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("pbc", "practice based commissioning", "practice-based commissioning"),
    ("msk", "musculoskeletal", "musculo skeletal"),
    ("copd", "chronic obstructive pulmonary disease"),
    ("gpwsi", "gpwsis", "gpsi", "gpsis", "gpw si", "gp with special interest", "gps with special interests",
     "gp with a special interest", "gps with a special interest", "gp with special interests"),
    ("a&e", "accident and emergency"),
    ("ltc", "ltcs", "long term conditions", "long-term conditions", "long term condition"),
    ("pct", "pcts", "primary care trust", "primary care trusts"),
    ("sha", "shas", "strategic health authority", "strategic health authorities"),
    ("ppi", "patient and public involvement"),
    ("wcc", "world class commissioning"),
    ("lmc", "lmcs", "local medical committee", "local medical committees"),
    ("dh", "doh", "department of health"),
    ("qof", "quality and outcomes framework"),
    ("pbr", "payment by results"),
    ("ooh", "out of hours"),
    ("ent", "ear nose and throat"),
    ("gp", "gps", "general practitioner", "general practitioners"),
    ("les", "local enhanced service", "local enhanced services"),
    ("des", "directed enhanced service", "directed enhanced services"),
    ("ahp", "ahps", "allied health professional", "allied health professionals"),
    ("physio", "physios", "physiotherapy", "physiotherapist", "physiotherapists"),
    ("ft", "fts", "foundation trust", "foundation trusts"),
    ("ldp", "ldps", "local delivery plan", "local delivery plans"),
    ("banes", "b&nes", "bath and north east somerset"),
    ("cvd", "cardiovascular disease"),
    ("chd", "coronary heart disease"),
    ("ckd", "chronic kidney disease"),
    ("pec", "professional executive committee"),
    ("sla", "slas", "service level agreement", "service level agreements"),
    ("opd", "outpatient department", "outpatients department"),
    ("mou", "memorandum of understanding"),
    # American spellings find the British ones the network writes.
    ("paediatric", "pediatric"), ("paediatrics", "pediatrics"), ("orthopaedic", "orthopedic"),
    ("orthopaedics", "orthopedics"), ("haematology", "hematology"), ("gynaecology", "gynecology"),
    ("anaesthetic", "anesthetic"), ("anaesthetics", "anesthetics"), ("oesophageal", "esophageal"),
    ("centre", "center"), ("centres", "centers"), ("programme", "program"), ("programmes", "programs"),
    ("behaviour", "behavior"), ("tumour", "tumor"), ("ischaemic", "ischemic"), ("anaemia", "anemia"),
    ("diarrhoea", "diarrhea"), ("oedema", "edema"), ("labour", "labor"), ("favour", "favor"),
    ("colour", "color"), ("licence", "license"), ("counselling", "counseling"), ("travelling", "traveling"),
)

#: One-way widenings: a plain word also finds the specialty it belongs to ("skin" finds dermatology work;
#: "dermatology" does not find every mention of skin).
WIDER_TERMS: dict[str, tuple[str, ...]] = {
    "skin": ("dermatology",),
    "eye": ("ophthalmology",), "eyes": ("ophthalmology",),
    "heart": ("cardiology",),
    "lung": ("respiratory",), "lungs": ("respiratory",),
    "foot": ("podiatry",), "feet": ("podiatry",),
    "kidney": ("renal",), "kidneys": ("renal",),
    "bones": ("musculoskeletal",), "joints": ("musculoskeletal",),
}

#: Abbreviations the stemmer would spoil or that are ordinary words in lower case ("des" → "de", "les",
#: "ft").  They are searched by their long form only; text that writes them in capitals ("DES") is indexed with
#: the long form beside it (:func:`index_keywords`).
PROTECTED = frozenset({"des", "les", "ft", "fts", "ent", "dh", "doh", "a&e", "b&nes", "sla", "pec", "opd", "mou", "ahp", "ldp"})

STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they "
    "this to was will with".split()
)

#: The words people wrap a question in ("how do I write a business case"): never required to match.
QUESTION_WORDS = frozenset(
    "how do does did doing i im i'm we you what whats what's where which who whom whose why when can could should "
    "would is are am any anyone anybody anything someone somebody something my our me your find finding get "
    "getting need needs want wants know tell there here please have has had got out".split()
)

#: Words a query ignores: stop words and question words.
IGNORED_WORDS = STOP_WORDS | QUESTION_WORDS

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


def long_form(group: tuple[str, ...]) -> str:
    """What a group's abbreviation stands for: its first spelling of several words (or its last spelling)."""
    return next((spelling for spelling in group if " " in spelling or "-" in spelling), group[-1])


@dataclass(frozen=True)
class ParsedQuery:
    """A query as the backends search it.

    ``clauses``: each is a list of alternative phrases (tuples of words); a
    document matches a clause when it holds any of them.  ``required[i]`` is
    True for a quoted phrase, which relaxation never drops.  ``terms`` are the
    plain words a spelling correction or a fuzzy match may change (unquoted,
    not synonyms).
    """

    clauses: list[list[tuple[str, ...]]]
    required: list[bool]
    terms: list[str]

    def dnf(self, drop_one: bool = False) -> list[list[list[tuple[str, ...]]]]:
        """The clauses as alternatives of conjunctions: all of them, or (``drop_one``) all but any one optional clause."""
        if not drop_one:
            return [self.clauses]
        optional = [n for n, required in enumerate(self.required) if not required]
        if len(self.clauses) < 2 or not optional:
            return []
        if len(self.clauses) > 6:  # a long query: any two-thirds of it is too many combinations; any clause will do
            return [[clause] for clause in self.clauses]
        return [[clause for n, clause in enumerate(self.clauses) if n != dropped] for dropped in optional]


def _quoted_parts(query: str) -> list[tuple[str, bool]]:
    """The query cut into (text, quoted) parts; an unclosed quote runs to the end."""
    parts, quoted = [], False
    for piece in re.split(r'["\u201c\u201d]', query):
        if piece.strip():
            parts.append((piece, quoted))
        quoted = not quoted
    return parts


def parse(query: str) -> ParsedQuery:
    """Clauses of alternative phrases, synonyms expanded, stop and question words dropped, quoted phrases kept whole."""
    clauses: list[list[tuple[str, ...]]] = []
    required: list[bool] = []
    terms: list[str] = []
    budget = 32
    for text, quoted in _quoted_parts(query):
        tokens = words(text)[:budget]
        budget -= len(tokens)
        if quoted:
            if tokens:
                clauses.append([tuple(tokens)])
                required.append(True)
            continue
        i = 0
        while i < len(tokens):
            for size in range(min(_LONGEST, len(tokens) - i), 0, -1):
                group = _SYNONYM_PHRASES.get(tuple(tokens[i:i + size]))
                if group and not (size == 1 and tokens[i] in IGNORED_WORDS and tokens[i] not in ("us",)):
                    alternatives: list[tuple[str, ...]] = []
                    for spelling in group:
                        if spelling in PROTECTED:
                            continue
                        phrase = _phrase_words(spelling)
                        if phrase not in alternatives:
                            alternatives.append(phrase)
                    clauses.append(alternatives)
                    required.append(False)
                    i += size
                    break
            else:
                token = tokens[i]
                if token not in IGNORED_WORDS:
                    alternatives = [(token,)]
                    alternatives += [(wider,) for wider in WIDER_TERMS.get(token, ())]
                    if re.search(r"iz(e|es|ed|ing|ation|ations)$", token):  # US -ize spellings find the UK -ise ones
                        alternatives.append((re.sub(r"iz(e|es|ed|ing|ation|ations)$", lambda m: "is" + m.group(1), token),))
                    clauses.append(alternatives)
                    required.append(False)
                    terms.append(token)
                i += 1
    return ParsedQuery(clauses, required, terms)


def parse_query(query: str) -> list[list[tuple[str, ...]]]:
    """Clauses of alternative phrases (each a tuple of words), synonyms expanded, stop words dropped.

    >>> parse_query("MSK triage")
    [[('msk',), ('musculoskeletal',), ('musculo', 'skeletal')], [('triage',)]]
    """
    return parse(query).clauses


_ABBREVIATION_SPELLINGS: dict[str, tuple[str, ...]] = {}
for _group in SYNONYMS:
    for _spelling in _group:
        if _spelling in PROTECTED:
            _ABBREVIATION_SPELLINGS[_spelling.upper()] = _group
_ABBREVIATION = re.compile(
    r"(?<![A-Za-z0-9&])(" + "|".join(sorted((re.escape(s) for s in _ABBREVIATION_SPELLINGS), key=len, reverse=True)) + r")(?![A-Za-z0-9&])"
)
_HYPHENATED = re.compile(r"\b([A-Za-z]{2,})-([A-Za-z]{2,})(?:-([A-Za-z]{2,}))?\b")


def index_keywords(text: str) -> list[str]:
    """Extra words indexed beside a text so people find it the ways they write: the long form of every
    abbreviation the text writes in capitals ("DES" → "directed enhanced services", so the stemmer never
    sees "des"), and every hyphenated word joined up ("self-referral" → "selfreferral", "re-design" → "redesign")."""
    found: dict[str, None] = {}
    for match in _ABBREVIATION.finditer(text or ""):
        found[long_form(_ABBREVIATION_SPELLINGS[match.group(1)])] = None
    for match in _HYPHENATED.finditer(text or ""):
        found["".join(part for part in match.groups() if part).lower()] = None
    return list(found)


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\]\)\"']+", re.IGNORECASE)
_MARKDOWN_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.MULTILINE)


def searchable_text(text: str) -> str:
    """Text as it is searched and shown in snippets: no e-mail addresses or web addresses (they are not what
    anyone searches for, and "nhs" in every address floods the results), and no Markdown syntax (``**``,
    ``#`` headings, table pipes and rules)."""
    # Each rule runs only when its text holds the character it needs: most text has no address, table or Markdown,
    # and scanning a long body nine times was most of the time a rebuild spent building documents (bench/HISTORY.md).
    text = text or ""
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:
        text = _URL.sub(" ", text)
    if "---" in text:
        text = _MARKDOWN_TABLE_RULE.sub("", text)
    if "#" in text:
        text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.MULTILINE)
    if "**" in text or "__" in text or "`" in text:
        text = re.sub(r"(\*\*|__|`)", "", text)
    if "*" in text:
        text = re.sub(r"(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", text)
    if "*" in text or "+" in text:
        text = re.sub(r"^\s*[*+]\s+", "", text, flags=re.MULTILINE)
    if "|" in text:
        text = re.sub(r"[ \t]*\|[ \t]*", " · ", text)
    return _LINE_EDGES.sub("", text)


_LINE_EDGES = re.compile(r"^[ ·]+|[ ·]+$", re.MULTILINE)


def plain_terms(query: str) -> list[str]:
    """The query's words without stop and question words, in order (for spelling suggestions)."""
    return [word for word in words(query) if word not in IGNORED_WORDS]


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


def document_keywords(document) -> str:
    """What a :class:`search.registry.SearchDocument` is found by besides its title and text (never shown as a snippet):
    its organisation, service areas and ``extra["keywords"]`` (names, stages, types), and :func:`index_keywords`
    of its title and text."""
    extra = document.extra.get("keywords") or ()
    if isinstance(extra, str):
        extra = (extra,)
    parts = [document.organisation or "", *document.service_areas, *extra]
    parts += index_keywords(f"{document.title}\n{(document.body or '')[:200_000]}")
    # "Bath & North East Somerset" is searched as "bath and north east somerset" (SQLite keeps "and" in a phrase).
    return "\n".join(dict.fromkeys(part.strip().replace(" & ", " and ") for part in parts if part and part.strip()))


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "ed", "es", "er", "s", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def highlight_words(text: str, query: str, length: int = 240) -> str:
    """An escaped excerpt of ``text`` around the first place a query word (or its stem) occurs, every occurrence
    marked with <mark>; the opening excerpt when no word occurs.  The fallback when an engine's own highlighter
    found nothing to mark (a match in the title, the keywords or through a synonym)."""
    stems = set()
    for phrase in (alt for clause in parse(query).clauses for alt in clause):
        for word in phrase:
            if word not in IGNORED_WORDS and len(word) >= 3:
                stems.add(_stem(word))
    for word in words(query):
        if word not in IGNORED_WORDS and len(word) >= 2 and word.isalpha():
            stems.add(_stem(word))
    text = " ".join((text or "").split())
    if not stems:
        return plain_excerpt(text, length)
    pattern = re.compile(r"\b(" + "|".join(sorted((re.escape(s) for s in stems), key=len, reverse=True)) + r")[a-z]*", re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return plain_excerpt(text, length)
    start = max(0, first.start() - length // 3)
    if start:
        start = text.rfind(" ", 0, start) + 1
    window = text[start:start + length]
    if start + length < len(text):
        window = window.rsplit(" ", 1)[0]
    marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", window)
    prefix = "… " if start else ""
    suffix = "…" if start + length < len(text) else ""
    return prefix + marked_to_html(marked) + suffix
