"""Search operations the rest of the portal calls. Engine details stay behind the backend."""
from __future__ import annotations

from django.db import transaction

from search.registry import searchable_for


def index_object(obj) -> None:
    """Bring ``obj``'s search entry up to date after the current transaction commits."""
    searchable = searchable_for(obj)
    if searchable is None:
        return
    key = (searchable.kind, str(obj.pk))
    transaction.on_commit(lambda: _enqueue_index(*key))


def remove_object(obj) -> None:
    """Remove ``obj`` from search after the current transaction commits."""
    searchable = searchable_for(obj)
    if searchable is None:
        return
    key = (searchable.kind, str(obj.pk))
    transaction.on_commit(lambda: _enqueue_remove(*key))


def _enqueue_index(kind: str, pk: str) -> None:
    # Filled in by the search app's background tasks (issue 7).
    pass


def _enqueue_remove(kind: str, pk: str) -> None:
    pass
