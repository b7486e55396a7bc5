"""What can be searched: each app registers its content types here.

An app describes each searchable model once, in ``<app>/searchable.py``
(imported by ``search.apps``), by subclassing ``Searchable`` and calling
``register``.  The search app then indexes, re-indexes and deletes through
these descriptions; no app talks to a search engine itself.  Apps call
``search.services.index_object(obj)`` / ``remove_object(obj)`` from their
services after a change (the work happens after commit, as background work).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from django.db import models

PUBLIC = "public"
MEMBERS = "members"


@dataclass(frozen=True)
class SearchDocument:
    """One searchable thing, in the shape every backend indexes."""

    kind: str  # facet value, e.g. "case_study", "matrix_entry", "thread", "document", "event", "guidance", "member"
    pk: str
    title: str
    body: str
    url: str
    audience: str = PUBLIC  # PUBLIC: anyone; MEMBERS: approved members only
    service_areas: tuple[str, ...] = ()  # ServiceArea names
    organisation: str = ""  # organisation name, for the facet
    date: datetime | None = None  # published or last updated; drives the year facet and recency boost
    extra: dict = field(default_factory=dict)

    @property
    def boost(self) -> float:
        """Relevance multiplier: ``extra["boost"]`` (e.g. 0.2 for superseded guidance), 1.0 by default."""
        try:
            return max(0.0, float(self.extra.get("boost", 1.0)))
        except (TypeError, ValueError):
            return 1.0

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


class Searchable:
    """How one model becomes search documents. Subclass per model and ``register`` an instance."""

    kind: ClassVar[str]
    label: ClassVar[str]  # plural, for the facet: "Case studies"
    model: ClassVar[type[models.Model]]
    #: Shown in a small block of its own beside the search page's ranked list, never in it (people: a profile
    #: that lists a topic is not what someone searching for the topic wants first).  Filtering by the kind
    #: lists them alone.
    own_block: ClassVar[bool] = False

    def queryset(self) -> models.QuerySet:
        """Everything that should be in the index (used by the full rebuild)."""
        return self.model._default_manager.all()

    def to_document(self, obj) -> SearchDocument | None:
        """The document for ``obj``, or None when it must not be searchable (draft, hidden, erased)."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_document()")

    def objects_using_document(self, document) -> models.QuerySet | list:
        """Objects whose search entry holds the text of this Wagtail document (re-indexed once its text is extracted)."""
        return []


_registry: dict[str, Searchable] = {}


def register(searchable: Searchable) -> Searchable:
    _registry[searchable.kind] = searchable
    return searchable


def registered() -> dict[str, Searchable]:
    return dict(_registry)


def kinds_with_own_block() -> tuple[str, ...]:
    """The kinds the search page shows in blocks of their own (``Searchable.own_block``), in registration order."""
    return tuple(kind for kind, searchable in _registry.items() if searchable.own_block)


def searchable_for(obj) -> Searchable | None:
    for searchable in _registry.values():
        if isinstance(obj, searchable.model):
            return searchable
    return None
