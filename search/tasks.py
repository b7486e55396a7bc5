"""Background work for search: keep the index in step with the content, extract document text.

Run inline by the ImmediateBackend in the embedded mode, by a worker in
production.  A task that cannot reach an engine writes what it can, then
fails: on the production queue it is retried with backoff (``TASKS_RETRY_DELAYS``);
inline, the failure is logged and the next save or a rebuild
(``manage.py rebuild_search_index``) puts it right.  Every task writes the
object's current state, so running one again is harmless.
"""
from __future__ import annotations

import logging

from django_tasks import task

from search.services import delete_entry, extract_and_index_document, refresh_entry

logger = logging.getLogger(__name__)


@task()
def index_search_entry(kind: str, pk: str) -> str:
    """Write the current state of one object to the search index (or drop it if it may no longer be found)."""
    return refresh_entry(kind, pk)


@task()
def remove_search_entry(kind: str, pk: str) -> str:
    """Remove one object from the search index."""
    delete_entry(f"{kind}:{pk}")
    return "removed"


@task()
def extract_document_text(document_id: int) -> str:
    """Extract an uploaded document's text (bounded, in a subprocess), store it and index the document."""
    return extract_and_index_document(document_id)
