"""The interface every search backend implements.

A backend stores :class:`search.registry.SearchDocument` objects and answers
queries for one viewer.  Permission filtering happens *inside* the engine's
query (``visible_audiences``), so totals, facet counts, highlights and
suggestions are computed over what the viewer may see and nothing else.
Backends are small classes whose methods raise ``NotImplementedError``;
``search.backends.get_backend()`` picks one from ``settings.SEARCH_BACKEND``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from search.analysis import parse
from search.registry import MEMBERS, PUBLIC, SearchDocument

#: The facets every backend counts, in the order the page shows them.
FACETS = ("kind", "service_area", "organisation", "year")

#: The key, among a search's filters, of the kinds left out of its results (a tuple; see ``SearchBackend.search``).
EXCLUDED_KINDS = "excluded_kinds"

#: Highlight markers the engines wrap matches in; replaced by <mark> only after the text is escaped.

#: A document whose title holds every word of the query (or a synonym of each) ranks at this multiple of its score on
#: SQLite and Elasticsearch: "Chilford Hall workshop" finds the workshop's own notes and event before a paper that
#: only mentions it.  PostgreSQL ranks a title match on its own (``_PostgreSQL.RANK``), to the same end.
WHOLE_TITLE_FACTOR = 2.0

#: Bodies longer than this are cut before indexing (PostgreSQL tsvector and ES highlighting both have limits).
MAX_BODY_CHARS = 200_000


class SearchUnavailable(Exception):
    """The search engine cannot be reached; callers show a plain message."""


def visible_audiences(viewer_audience: str) -> list[str]:
    """The audiences a viewer may see: anonymous visitors see public content, members see members' content too."""
    if viewer_audience == MEMBERS:
        return [PUBLIC, MEMBERS]
    return [PUBLIC]


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchHit:
    key: str
    kind: str
    pk: str
    title: str
    url: str
    highlight: str  # escaped HTML whose only tags are <mark>…</mark>
    date: datetime | None = None
    organisation: str = ""
    service_areas: tuple[str, ...] = ()
    score: float = 0.0


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    suggestion: str | None = None
    backend: str = ""
    degraded: bool = False  # answered by the fallback backend
    #: True when ``total`` and the facet counts are estimates ("about 83,000 results"): see the database backend.
    approximate: bool = False
    #: How many results can be paged through, when fewer than ``total`` were ranked (None: all of them).
    ranked: int | None = None
    #: The spelling the results were found for, when the query as typed found nothing ("Showing results for …").
    corrected: str | None = None
    #: How the query was widened when every word together found nothing: "" (it was not), "some_words"
    #: (documents with most of the words) or "similar_words" (words spelt like the query's).
    relaxed: str = ""

    @property
    def page_count(self) -> int:
        reachable = self.total if self.ranked is None else min(self.total, self.ranked)
        return max(1, -(-reachable // self.page_size))


Progress = Callable[[int, int | None], None]


class SearchBackend:
    """A search engine the portal can index documents into and query."""

    name = "base"

    def index_documents(self, documents: Iterable[SearchDocument]) -> int:
        """Add or replace ``documents`` (by ``SearchDocument.key``); return how many were written."""
        raise NotImplementedError(f"{type(self).__name__} must implement index_documents()")

    def delete_documents(self, keys: Iterable[str]) -> int:
        """Remove the documents with these keys ("kind:pk"); unknown keys are ignored."""
        raise NotImplementedError(f"{type(self).__name__} must implement delete_documents()")

    def search(self, query: str, viewer_audience: str = PUBLIC, filters: dict[str, str] | None = None,
               page: int = 1, page_size: int = 10, autocorrect: bool = True, excluded_kinds: Iterable[str] = ()) -> SearchResults:
        """Ranked, highlighted, faceted results for what ``viewer_audience`` may see; never a dead end if it can help it.

        ``filters`` narrows by facet: {"kind": ..., "service_area": ..., "organisation": ..., "year": ...}.
        ``excluded_kinds`` leaves those kinds out of the results, their counts and their facets (the search page
        shows people in a block of their own, not in the ranked list).
        Every word (or its synonyms) must match first.  When that finds nothing, in this order: the query
        with its spelling corrected from the index's vocabulary (``results.corrected``, unless
        ``autocorrect`` is off: "search instead for" what was typed), documents with all but one of
        the words, then words spelt like the query's (``results.relaxed`` says which).  Quoted phrases are
        never dropped.  Every step is filtered by the viewer's audience inside the engine, so a correction
        or a near spelling is only ever offered when it finds something the viewer may see.
        """
        filters = {name: value for name, value in (filters or {}).items() if value and name != EXCLUDED_KINDS}
        if excluded_kinds:
            filters[EXCLUDED_KINDS] = tuple(excluded_kinds)
        return _collapse_near_duplicates(self._search_ladder(query, viewer_audience, filters, page, page_size, autocorrect))

    def _search_ladder(self, query: str, viewer_audience: str, filters: dict[str, str] | None, page: int, page_size: int,
                       autocorrect: bool) -> SearchResults:
        audiences = visible_audiences(viewer_audience)
        filters = {name: value for name, value in (filters or {}).items() if value}
        page = max(1, page)
        parsed = parse(query)
        if not parsed.clauses:
            return SearchResults(query=query, hits=[], total=0, page=page, page_size=page_size, backend=self.name)
        results = self._search_dnf(query, parsed.dnf(), audiences, filters, page, page_size)
        if results.total:
            return results
        if autocorrect:
            correction = self._correct(query, parsed, audiences)
            if correction:
                corrected = self._search_dnf(query, parse(correction).dnf(), audiences, filters, page, page_size)
                if corrected.total:
                    corrected.corrected = correction
                    return corrected
        most = parsed.dnf(drop_one=True)
        if most:
            relaxed = self._search_dnf(query, most, audiences, filters, page, page_size)
            if relaxed.total:
                relaxed.relaxed = "some_words"
                return relaxed
        if autocorrect and parsed.terms:
            fuzzy = self._search_fuzzy(query, parsed, audiences, filters, page, page_size)
            if fuzzy is not None and fuzzy.total:
                fuzzy.relaxed = "similar_words"
                return fuzzy
        return results

    def _search_dnf(self, query: str, dnf, audiences: list[str], filters: dict[str, str], page: int,
                    page_size: int) -> SearchResults:
        """Results for documents matching every clause of any one of ``dnf``'s conjunctions (lists of clauses)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _search_dnf()")

    def _correct(self, query: str, parsed, audiences: list[str]) -> str | None:
        """The query with misspelt words replaced by indexed ones, only if it finds something these audiences may see."""
        raise NotImplementedError(f"{type(self).__name__} must implement _correct()")

    def _search_fuzzy(self, query: str, parsed, audiences: list[str], filters: dict[str, str], page: int,
                      page_size: int) -> SearchResults | None:
        """Results for words spelt like the query's (edit distance), most of them required."""
        raise NotImplementedError(f"{type(self).__name__} must implement _search_fuzzy()")

    def similar(self, text: str, viewer_audience: str = PUBLIC, kinds: Iterable[str] = (), exclude: Iterable[str] = (),
                limit: int = 5) -> list[SearchHit]:
        """Documents most like ``text`` ("more like this"), best first, among what ``viewer_audience`` may see.

        ``kinds`` keeps only those kinds (all when empty); ``exclude`` leaves out these keys ("kind:pk"),
        such as the document the text came from.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement similar()")

    def rebuild(self, documents: Iterable[SearchDocument], progress: Progress | None = None) -> int:
        """Replace the whole index with ``documents`` without ever leaving search empty meanwhile.

        ``progress(done, total_or_None)`` is called as batches are written.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement rebuild()")

    def clear(self) -> None:
        """Remove every document (tests and the rebuild command's --clear)."""
        raise NotImplementedError(f"{type(self).__name__} must implement clear()")

    def check_health(self) -> None:
        """Raise if the engine cannot answer; used by /health/."""
        raise NotImplementedError(f"{type(self).__name__} must implement check_health()")


def _near_duplicate_key(hit: SearchHit) -> tuple[str, str] | None:
    """Templates that differ only by a bracketed note ("… specification (Chelmsford North Cluster)") are one result."""
    import re

    if hit.kind != "template":
        return None
    return hit.kind, re.sub(r"\s*\([^)]*\)", "", hit.title.lower()).strip()


def _collapse_near_duplicates(results: SearchResults) -> SearchResults:
    """Keep the best of each group of near-identical templates on the page (the others are a click away on it)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for hit in results.hits:
        key = _near_duplicate_key(hit)
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        kept.append(hit)
    results.hits = kept
    return results
