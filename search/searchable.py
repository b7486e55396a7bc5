"""Wagtail documents in search: title, tags and the text extracted from the file (search.extraction)."""
from __future__ import annotations

from wagtail.documents import get_document_model

from search.registry import MEMBERS, PUBLIC, SearchDocument, Searchable, register


class DocumentSearchable(Searchable):
    """A Wagtail document; public only in the public collection (``portal.core.documents``), members-only otherwise
    (a restricted collection, any other collection, a matrix entry's attachment). Template files are left to their template."""

    kind = "document"
    label = "Documents"
    model = get_document_model()

    def queryset(self):
        return self.model.objects.select_related("collection", "search_text").prefetch_related("tags")

    def to_document(self, obj) -> SearchDocument | None:
        from directory.models import ServiceArea
        from redesign.models import TemplateVersion
        from redesign.permissions import document_is_members_only

        # A template's file is found through its template (which has the template's audience and counts the
        # download), never as a loose document beside it; a matrix entry's attachment is for members, like the entry.
        if TemplateVersion.objects.filter(document=obj).exists():
            return None
        text = getattr(obj, "search_text", None)
        restricted = document_is_members_only(obj)  # the same rule as serving it (redesign/wagtail_hooks.py)
        tags = [tag.name for tag in obj.tags.all()]
        areas = list(ServiceArea.objects.filter(name__in=tags).values_list("name", flat=True)) if tags else []
        body = text.text if text is not None and text.is_extracted else ""
        return SearchDocument(
            kind=self.kind, pk=str(obj.pk), title=obj.title, body=f"{' '.join(tags)}\n{body}".strip(), url=obj.url,
            audience=MEMBERS if restricted else PUBLIC, service_areas=tuple(areas), date=obj.created_at,
            extra={"filename": obj.filename, "text_extracted": bool(text and text.is_extracted)},
        )


register(DocumentSearchable())
