"""Search operations the rest of the portal calls. Engine details stay behind the backend."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from portal.core.outbox import enqueue_on_commit
from search.answers import forget_answers
from search.backends import get_backend
from search.backends.base import SearchUnavailable
from search.backends.database import DatabaseBackend
from search.extraction import FAILED, ExtractionResult, extract_file
from search.models import DocumentText
from search.registry import SearchDocument, registered, searchable_for

logger = logging.getLogger(__name__)


class SearchError(Exception):
    """Base error of the search app; ``user_message`` is safe to show."""

    user_message = "Search is not available just now. Please try again in a few minutes."


def index_object(obj) -> None:
    """Bring ``obj``'s search entry up to date after the current transaction commits.

    Through the outbox (``portal.core.outbox``): in production the index task is
    recorded in the caller's transaction and put on the queue after commit,
    so a save while Redis is down is indexed once it is back, and the request
    that saved never indexes itself; embedded, it runs inline after commit.
    """
    searchable = searchable_for(obj)
    if searchable is None:
        return

    enqueue_on_commit("search.tasks.index_search_entry", searchable.kind, str(obj.pk))


def remove_object(obj) -> None:
    """Remove ``obj`` from search after the current transaction commits (through the outbox, as ``index_object``)."""
    searchable = searchable_for(obj)
    if searchable is None:
        return

    enqueue_on_commit("search.tasks.remove_search_entry", searchable.kind, str(obj.pk))


def writing_backends() -> list:
    """The configured backend, plus the embedded one when Elasticsearch is configured (it is the fallback)."""
    backend = get_backend()
    backends = [backend]
    if not isinstance(backend, DatabaseBackend):
        backends.append(DatabaseBackend())
    return backends


def write_documents(documents: list[SearchDocument]) -> None:
    """Index ``documents`` in every writing backend; one unreachable engine does not stop the others.

    Raises SearchUnavailable afterwards when an engine failed, so the background
    task that called it is retried (writing the same documents again is harmless).
    """
    failed = []
    for backend in writing_backends():
        try:
            backend.index_documents(documents)
        except Exception:  # an engine being down must not lose the others' update
            logger.exception("search: %s could not index %d document(s)", backend.name, len(documents))
            failed.append(backend.name)
    forget_answers()  # after every engine has written: a search in between cannot cache the old answer under the new generation
    if failed:
        raise SearchUnavailable(f"Could not index {len(documents)} document(s) in {', '.join(failed)}; a retry will.")


def delete_entry(key: str) -> None:
    """Remove ``key`` ("kind:pk") from every writing backend; raises SearchUnavailable (for a retry) when one failed."""
    failed = []
    for backend in writing_backends():
        try:
            backend.delete_documents([key])
        except Exception:
            logger.exception("search: %s could not delete %s", backend.name, key)
            failed.append(backend.name)
    forget_answers()
    if failed:
        raise SearchUnavailable(f"Could not remove {key} from {', '.join(failed)}; a retry will.")


def refresh_entry(kind: str, pk: str) -> str:
    """Index the object ``kind``/``pk`` as it is now; remove it if it is gone or must not be searchable."""
    searchable = registered().get(kind)
    if searchable is None:
        logger.warning("search: nothing registered for kind %r", kind)
        return "unknown kind"
    obj = searchable.queryset().filter(pk=pk).first()
    document = searchable.to_document(obj) if obj is not None else None
    if document is None:
        delete_entry(f"{kind}:{pk}")
        return "removed"
    write_documents([document])
    return "indexed"


def iter_all_documents(kinds: list[str] | None = None) -> Iterator[SearchDocument]:
    """Every searchable document of every registered kind (or of ``kinds``), for a full rebuild."""
    for kind, searchable in sorted(registered().items()):
        if kinds and kind not in kinds:
            continue
        for obj in searchable.queryset().iterator(chunk_size=500):
            document = searchable.to_document(obj)
            if document is not None:
                yield document


def count_all_documents(kinds: list[str] | None = None) -> int:
    """How many objects a rebuild will look at (the progress bar's total)."""
    return sum(s.queryset().count() for kind, s in registered().items() if not kinds or kind in kinds)


def extract_and_index_document(document_id: int) -> str:
    """Extract a Wagtail document's text into DocumentText, then index the document.

    A failure to extract is recorded on the row (status "failed" and a plain
    reason) and the document is still indexed by title, so it stays listed.
    """
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return "gone"
    try:
        result = _extract_stored_file(document.file, document.filename)
    except Exception as error:  # storage trouble: record it, never crash the worker
        logger.exception("search: could not read document %s", document_id)

        result = ExtractionResult(text="", ok=False, reason=f"{FAILED}: the stored file could not be opened ({type(error).__name__}).")
    DocumentText.objects.update_or_create(
        document=document,
        defaults={
            "status": DocumentText.Status.EXTRACTED if result.ok else DocumentText.Status.FAILED,
            "text": result.text,
            "reason": result.reason[:255],
            "pages": result.pages,
            "truncated": result.truncated,
            "extracted_at": timezone.now(),
        },
    )
    refresh_entry("document", str(document.pk))
    for kind, searchable in registered().items():  # a template holds its files' text: it is re-indexed with it
        for obj in searchable.objects_using_document(document):
            refresh_entry(kind, str(obj.pk))
    return "extracted" if result.ok else "failed"


def _extract_stored_file(field_file, filename: str):
    """Extract from local storage in place, or from a temporary copy for remote storage (S3)."""
    import tempfile

    try:
        return extract_file(field_file.path, filename)
    except NotImplementedError:  # storage without local paths
        with field_file.open("rb") as source, tempfile.NamedTemporaryFile(suffix=f"-{filename}") as copy:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                copy.write(chunk)
            copy.flush()
            return extract_file(copy.name, filename)
