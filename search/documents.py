"""The Elasticsearch mapping of a search document (elasticsearch-dsl).

Text is analysed in English (stemming: "services" finds "service"); the
search analyzer adds the NHS synonym list (``search.analysis.SYNONYMS``).
``spell`` keeps unstemmed words for the "did you mean" suggester.  (Title and
body had unstemmed ``*.plain`` sub-fields too, which no query read; they
indexed every word twice more and were dropped: bench/RESULTS.md.)  The portal reads and writes through an alias
(``<SEARCH_INDEX_PREFIX>-content``); each rebuild makes a new concrete index
``<alias>-<timestamp>`` and swaps the alias to it.
"""
from __future__ import annotations

from django.conf import settings
from elasticsearch_dsl import Date, Document, Float, Integer, Keyword, Text, analyzer, token_filter

from search.analysis import PROTECTED, SYNONYMS


def engine_synonym_groups() -> list[str]:
    """The synonym groups without the short abbreviations, which the query parser already turns into their long form.

    Left in, a real Lucene engine's synonym_graph expands "directed enhanced services" back into "des", which the
    stemmer after it makes "de": "de-escalation" then matched (osmem-server ignored synonym filters, so the
    tests never showed it).
    """
    groups = ([term for term in group if term not in PROTECTED] for group in SYNONYMS)
    return [", ".join(group) for group in groups if len(group) > 1]


nhs_synonyms = token_filter("nhs_synonyms", type="synonym_graph", lenient=True, synonyms=engine_synonym_groups())
english_stemmer = token_filter("portal_english_stemmer", type="stemmer", language="english")
#: "children's" → "children", as the engines' own English analyzer does first (without it the stemmer left
#: "children'", which neither "children" nor "childrens" finds; the database backends split at the apostrophe).
possessive = token_filter("portal_english_possessive", type="stemmer", language="possessive_english")

english = analyzer("portal_english", tokenizer="standard", filter=[possessive, "lowercase", english_stemmer])
english_search = analyzer("portal_english_search", tokenizer="standard", filter=[possessive, "lowercase", nhs_synonyms, english_stemmer])
plain = analyzer("portal_plain", tokenizer="standard", filter=["lowercase"])


#: BM25 with less length normalisation than Lucene's default (b 0.75): a long paper that is about dermatology
#: throughout should not rank below every short note that mentions it once.  Both Elasticsearch 8 and OpenSearch
#: read a named similarity from the index settings.
SIMILARITY = {"portal_bm25": {"type": "BM25", "k1": 1.2, "b": 0.4}}


def _text(**options) -> Text:
    return Text(analyzer=english, search_analyzer=english_search, similarity="portal_bm25", **options)


class PortalDocument(Document):
    """One :class:`search.registry.SearchDocument` as Elasticsearch stores it; ``_id`` is its key."""

    kind = Keyword()
    object_pk = Keyword()
    title = _text()
    body = _text()
    # Organisation, service areas, names, abbreviations' long forms: searched, never shown.  No length norms: a
    # short keywords field must not outscore a body that is about the words.
    keywords = _text(norms=False)
    url = Keyword(index=False)
    audience = Keyword()
    service_areas = Keyword(multi=True)
    organisation = Keyword()
    date = Date()
    year = Integer()
    boost = Float()  # relevance multiplier: less than 1 for superseded guidance
    spell = Text(analyzer=plain)

    class Index:
        name = "pbc-content"  # replaced by alias_name() at run time
        settings = {"number_of_shards": 1, "number_of_replicas": 0, "max_result_window": 10_000, "similarity": SIMILARITY}


def alias_name() -> str:
    return f"{getattr(settings, 'SEARCH_INDEX_PREFIX', 'pbc')}-content"
