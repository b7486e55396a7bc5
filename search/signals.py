"""Keep documents' text and search entries current however a document is saved (admin, API, shell)."""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.documents import get_document_model

from portal.core.outbox import enqueue_on_commit
from search.services import remove_object
from search.tasks import extract_document_text


def _document_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata / a restore: the extracted text is restored with the rows
        return

    enqueue_on_commit(extract_document_text, instance.pk)


def _document_deleted(sender, instance, **kwargs) -> None:
    remove_object(instance)


def connect() -> None:
    model = get_document_model()
    post_save.connect(_document_saved, sender=model, dispatch_uid="search.document_saved")
    post_delete.connect(_document_deleted, sender=model, dispatch_uid="search.document_deleted")
