"""Queries the search page runs: the only place views reach a search engine.

``run_search`` asks the configured backend for the page's ranked list and
``run_blocks`` for the small blocks beside it (people); when Elasticsearch cannot be
reached, both fall back to the embedded backend (kept up to date alongside it),
saying so in the results.  What a viewer may see is decided here, from who
they are, and passed to the backend as an audience it filters on inside the
query.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from portal.core import fragments
from portal.core.permissions import is_member
from search.answers import ANSWER_SECONDS, ANSWERS
from search.backends import get_backend
from search.backends.base import FACETS, FacetCount, SearchHit, SearchResults, SearchUnavailable
from search.backends.database import DatabaseBackend
from search.registry import MEMBERS, PUBLIC, SearchDocument, kinds_with_own_block, registered, searchable_for

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
T = TypeVar("T")
PAGE_SIZE = 10
MAX_PAGE = 100
#: How many people (or items of any kind with a block of its own) the block beside the ranked list shows.
BLOCK_SIZE = 3

FACET_TITLES = {"kind": "Type", "service_area": "Service area", "organisation": "Organisation", "year": "Year"}
KIND_LABELS = {
    "case_study": "Case studies", "matrix_entry": "Re-design matrix", "template": "Templates", "thread": "Forum threads",
    "reply": "Forum replies", "document": "Documents", "event": "Events", "guidance": "Guidance", "member": "People",
    "organisation": "Organisations", "page": "Pages",
}


class SearchDown(Exception):
    """Neither the configured engine nor the embedded fallback could answer."""

    user_message = "Search is not working at the moment. Please try again in a few minutes."


def viewer_audience(user) -> str:
    """Approved members see members' content; everyone else sees public content only."""
    return MEMBERS if is_member(user) else PUBLIC


def kind_label(kind: str) -> str:
    searchable = registered().get(kind)
    return getattr(searchable, "label", None) or KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def safe_highlight(fragment: str) -> SafeString:
    """Backends already escape and mark; nh3 makes sure nothing but <mark> can ever reach the page."""
    return mark_safe(nh3.clean(fragment, tags={"mark"}, attributes={}))  # noqa: S308 - sanitised on this line


def _normalised(query: str, filters: dict[str, str] | None, page: int) -> tuple[str, dict[str, str], int]:
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    filters = {name: str(value)[:200] for name, value in sorted((filters or {}).items()) if name in FACETS and value}
    return query, filters, min(max(1, page), MAX_PAGE)


def _answer_seconds() -> int:
    return int(getattr(settings, "SEARCH_ANSWER_SECONDS", ANSWER_SECONDS))


def ranked_list_excludes(filters: dict[str, str] | None) -> tuple[str, ...]:
    """The kinds the page's ranked list leaves out: those with a block of their own, unless the search asks for one kind."""
    return () if (filters or {}).get("kind") else kinds_with_own_block()


def run_search(query: str, user, filters: dict[str, str] | None = None, page: int = 1, page_size: int = PAGE_SIZE,
               autocorrect: bool = True) -> SearchResults:
    """The page's ranked list for ``user``: everything they may see but the kinds with a block of their own (people).

    Falls back to the embedded backend if Elasticsearch is down; raises SearchDown if both are.
    The answer depends on nothing about the viewer but their audience (``viewer_audience``), so it
    is cached under that audience: a visitor's search is never answered from a member's.
    An answer from the fallback is never cached (Elasticsearch may be back on the next request).
    """
    return _cached_search(query, viewer_audience(user), filters, page, page_size, autocorrect, ranked_list_excludes(filters))


def run_blocks(query: str, user, filters: dict[str, str] | None = None, autocorrect: bool = True) -> list[SearchResults]:
    """The small blocks beside the ranked list: for each kind with a block of its own (people), its first few results.

    Members only: an anonymous visitor's search never even asks for them.  No blocks when the search asks for one kind
    (the ranked list then holds that kind alone); a block with no results is left out.  The other filters apply.
    Raises SearchDown like ``run_search``.
    """
    audience = viewer_audience(user)
    if audience == PUBLIC or (filters or {}).get("kind"):
        return []
    blocks = []
    for kind in kinds_with_own_block():
        results = _cached_search(query, audience, {**(filters or {}), "kind": kind}, 1, BLOCK_SIZE, autocorrect, ())
        if results.hits:
            blocks.append(results)
    return blocks


def _cached_search(query: str, audience: str, filters: dict[str, str] | None, page: int, page_size: int, autocorrect: bool,
                   excluded_kinds: tuple[str, ...]) -> SearchResults:
    query, filters, page = _normalised(query, filters, page)
    backend = get_backend()
    seconds = _answer_seconds()
    if seconds <= 0:
        return _answer(backend, query, audience, filters, page, page_size, autocorrect, excluded_kinds)

    def compute() -> tuple[SearchResults, int]:
        results = _answer(backend, query, audience, filters, page, page_size, autocorrect, excluded_kinds)
        return results, 0 if results.degraded else seconds

    parts = ("results", backend.name, query, tuple(filters.items()), page, page_size, audience, autocorrect, excluded_kinds)
    return fragments.cached_value(ANSWERS, parts, compute)


def cached_answer(query: str, user, filters: dict[str, str] | None, page: int,
                  render: Callable[[SearchResults, list[SearchResults]], T], autocorrect: bool = True) -> T:
    """``render(results, blocks)`` for this search (the page's rendered results), cached like :func:`run_search`'s answer.

    ``results`` is the ranked list (:func:`run_search`), ``blocks`` the small blocks beside it on the first page
    (:func:`run_blocks`).  Kept under the same family, audience and normalised query as the answer itself, so it is
    forgotten by the same index writes; ``render`` must depend on nothing but its arguments and
    ``filters`` (never on the viewer beyond their audience).  Raises SearchDown like ``run_search``.
    """
    normal_query, normal_filters, normal_page = _normalised(query, filters, page)
    seconds = _answer_seconds()

    def compute() -> tuple[T, int]:
        results = run_search(query, user, filters=filters, page=page, autocorrect=autocorrect)
        blocks = run_blocks(query, user, filters=filters, autocorrect=autocorrect) if normal_page == 1 else []
        degraded = results.degraded or any(block.degraded for block in blocks)
        return render(results, blocks), 0 if degraded else seconds

    if seconds <= 0:
        return compute()[0]
    # The raw filters too: ``render`` shows them (the "remove filter" links), even ones the search ignores.
    parts = ("page", get_backend().name, normal_query, tuple(normal_filters.items()), tuple(sorted((filters or {}).items())),
             normal_page, viewer_audience(user), autocorrect)
    return fragments.cached_value(ANSWERS, parts, compute)


def _answer(backend, query: str, audience: str, filters: dict[str, str], page: int, page_size: int,
            autocorrect: bool = True, excluded_kinds: tuple[str, ...] = ()) -> SearchResults:
    arguments = {"viewer_audience": audience, "filters": filters, "page": page, "page_size": page_size, "autocorrect": autocorrect,
                 "excluded_kinds": excluded_kinds}
    try:
        return backend.search(query, **arguments)
    except SearchUnavailable:
        if isinstance(backend, DatabaseBackend):
            logger.exception("search: the embedded backend failed")
            raise SearchDown from None
        logger.warning("search: %s is unreachable, answering from the embedded backend", backend.name, exc_info=True)
    try:
        results = DatabaseBackend().search(query, **arguments)
    except Exception:
        logger.exception("search: the embedded fallback failed too")
        raise SearchDown from None
    results.degraded = True
    return results


#: What "similar work" points at, with the label each result shows.
SIMILAR_KIND_LABELS = {
    "matrix_entry": "Re-design work", "case_study": "Case study", "template": "Template", "thread": "Forum thread",
}
SIMILAR_KINDS = tuple(SIMILAR_KIND_LABELS)

#: How much of a long document "similar work" reads: its opening says what it is about.
SIMILAR_TEXT_CHARS = 5_000


def find_similar(document_or_text, user, kinds=(), exclude=(), limit: int = 5) -> list[SearchHit]:
    """Work like ``document_or_text`` (a searchable object, a SearchDocument or free text) that ``user`` may see.

    The object itself is always left out.  Elasticsearch answers with its
    ``more_like_this`` query; if it is down, the embedded backend answers; if
    both fail the answer is empty (similar work is a pointer, never worth an error page).
    """
    exclude = list(exclude)
    if isinstance(document_or_text, str):
        text = document_or_text
    else:
        document = document_or_text
        if not isinstance(document, SearchDocument):
            searchable = searchable_for(document)
            document = searchable.to_document(document) if searchable else None
        if document is None:
            return []
        text = f"{document.title}\n{document.title}\n{document.body}"  # the title says most: count it twice
        exclude.append(document.key)
    text = text[:SIMILAR_TEXT_CHARS]
    arguments = {"viewer_audience": viewer_audience(user), "kinds": list(kinds), "exclude": exclude, "limit": limit}
    backend = get_backend()
    try:
        return backend.similar(text, **arguments)
    except SearchUnavailable:
        logger.warning("search: %s could not find similar work", backend.name, exc_info=True)
        if isinstance(backend, DatabaseBackend):
            return []
    try:
        return DatabaseBackend().similar(text, **arguments)
    except SearchUnavailable:
        logger.exception("search: the embedded fallback could not find similar work either")
        return []


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    selected: bool


def facet_links(results: SearchResults, params: dict[str, str], blocks: list[SearchResults] = ()) -> list[dict]:
    """For each facet, links that add (or, when selected, remove) that filter; counts come from the backend.

    The kinds in ``blocks`` (people, listed apart from the ranked list) are offered as types too, with their totals.
    """
    from urllib.parse import urlencode

    apart = [FacetCount(block.hits[0].kind, block.total) for block in blocks if block.hits]
    groups = []
    for name in FACETS:
        links = []
        for value_count in [*results.facets.get(name, []), *(apart if name == "kind" else [])]:
            selected = params.get(name) == value_count.value
            new = {k: v for k, v in params.items() if v and k != "page"}
            if selected:
                new.pop(name, None)
            else:
                new[name] = value_count.value
            label = kind_label(value_count.value) if name == "kind" else value_count.value
            links.append(FacetLink(label, value_count.count, "?" + urlencode(new), selected))
        if links:
            groups.append({"name": name, "title": FACET_TITLES[name], "links": links})
    return groups
