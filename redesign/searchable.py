"""How matrix entries, case studies, templates and Wagtail documents appear in the portal's one search.

Documents are here because who may find one is the re-design library's rule (``redesign.documents.document_is_members_only``).
"""
from __future__ import annotations

from django.utils.html import strip_tags
from wagtail.documents import get_document_model

from directory.models import ServiceArea
from redesign.documents import document_is_members_only
from redesign.models import CaseStudyPage, MatrixEntry, Template, TemplateVersion
from redesign.permissions import Audience
from search.pages import register_page_type
from search.registry import MEMBERS, PUBLIC, Searchable, SearchDocument, register


class MatrixEntrySearchable(Searchable):
    kind = "matrix_entry"
    label = "Re-design work"
    model = MatrixEntry

    def queryset(self):
        return MatrixEntry.objects.select_related("organisation", "service_area").prefetch_related("leads__user")

    def to_document(self, obj: MatrixEntry) -> SearchDocument:
        body = "\n".join(filter(None, [obj.summary, obj.ppi, obj.outcomes, obj.stop_reason]))
        return SearchDocument(
            kind=self.kind,
            pk=str(obj.pk),
            title=obj.title,
            body=body,
            url=obj.get_absolute_url(),
            audience=MEMBERS,  # the matrix names its leads: members only
            service_areas=(obj.service_area.name,),
            organisation=obj.organisation.name,
            date=obj.updated_at,
            # Found by its stage and its leads' names as well as its organisation and service area (keywords).
            extra={"stage": obj.get_stage_display(),
                   "keywords": [obj.get_stage_display(), *(lead.display_name for lead in obj.leads.all())]},
        )


class CaseStudySearchable(Searchable):
    kind = "case_study"
    label = "Case studies"
    model = CaseStudyPage

    def queryset(self):
        return CaseStudyPage.objects.live().select_related("organisation", "service_area")

    def to_document(self, obj: CaseStudyPage) -> SearchDocument | None:
        if not obj.live:
            return None
        body = "\n".join(strip_tags(part) for part in [obj.summary, obj.problem, obj.what_was_done, obj.outcomes, obj.contacts] if part)
        return SearchDocument(
            kind=self.kind,
            pk=str(obj.pk),
            title=obj.title,
            body=body,
            url=obj.url or "",
            audience=PUBLIC if obj.audience == Audience.PUBLIC else MEMBERS,
            service_areas=(obj.service_area.name,) if obj.service_area else (),
            organisation=obj.organisation.name if obj.organisation else "",
            date=obj.last_published_at or obj.first_published_at,
        )


class TemplateSearchable(Searchable):
    kind = "template"
    label = "Templates"
    model = Template

    def queryset(self):
        return Template.objects.select_related("organisation", "service_area").prefetch_related("versions__document__search_text")

    def objects_using_document(self, document):
        return Template.objects.filter(versions__document=document).distinct()

    def to_document(self, obj: Template) -> SearchDocument:
        # The text of every version's file (search.extraction): a phrase from the business case finds its template.
        texts = []
        for version in obj.versions.all():
            extracted = getattr(version.document, "search_text", None)
            if extracted is not None and extracted.is_extracted and extracted.text:
                texts.append(extracted.text)
        return SearchDocument(
            kind=self.kind,
            pk=str(obj.pk),
            title=obj.title,
            # The service area is part of the text, so "dermatology business case" finds the dermatology template.
            body="\n".join(filter(None, [obj.get_kind_display(), obj.service_area.name if obj.service_area else "", obj.description,
                                         *texts])),
            url=obj.get_absolute_url(),
            audience=PUBLIC if obj.audience == Audience.PUBLIC else MEMBERS,
            service_areas=(obj.service_area.name,) if obj.service_area else (),
            organisation=obj.organisation.name if obj.organisation else "",
            date=obj.updated_at,
            extra={"template_kind": obj.get_kind_display()},
        )


register(MatrixEntrySearchable())
register_page_type(CaseStudySearchable())  # re-indexed on publish, removed on unpublish
register(TemplateSearchable())


class DocumentSearchable(Searchable):
    """A Wagtail document; public only in the public collection (``portal.core.documents``), members-only otherwise
    (a restricted collection, any other collection, a matrix entry's attachment). Template files are left to their template."""

    kind = "document"
    label = "Documents"
    model = get_document_model()

    def queryset(self):
        return self.model.objects.select_related("collection", "search_text").prefetch_related("tags")

    def to_document(self, obj) -> SearchDocument | None:
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
