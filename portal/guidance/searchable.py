"""The portal's searchable content: guidance pages, audience-aware.

Superseded guidance stays searchable (people look for it by its old title)
but carries ``extra["superseded"] = True`` and ``extra["boost"] = 0.2`` so the
search backends rank it below current guidance; see search/registry.py.
Search entries are refreshed when guidance is published or unpublished.
"""
from __future__ import annotations

from django.dispatch import receiver
from django.utils.html import strip_tags
from wagtail.signals import page_published, page_unpublished

from portal.guidance.models import Audience, GuidancePage
from search.registry import MEMBERS, PUBLIC, Searchable, SearchDocument, register
from search.services import index_object, remove_object

SUPERSEDED_BOOST = 0.2


class GuidanceSearchable(Searchable):
    kind = "guidance"
    label = "Guidance"
    model = GuidancePage

    def queryset(self):
        return GuidancePage.objects.live().prefetch_related("topics")

    def to_document(self, obj) -> SearchDocument | None:
        page = obj.specific if type(obj) is not GuidancePage else obj
        if not page.live or page.get_view_restrictions().exists():
            return None
        body_text = " ".join(" ".join(child.block.get_searchable_content(child.value)) for child in page.body)
        superseded = page.superseded_by_id is not None
        return SearchDocument(
            kind=self.kind,
            pk=str(page.pk),
            title=page.title,
            body=f"{page.summary}\n{strip_tags(body_text)}",
            url=page.url or "",
            audience=MEMBERS if page.audience == Audience.MEMBERS else PUBLIC,
            service_areas=tuple(t.name for t in page.topics.all()),
            organisation="",
            date=page.last_published_at,
            extra={"superseded": superseded, "boost": SUPERSEDED_BOOST if superseded else 1.0},
        )


register(GuidanceSearchable())


@receiver(page_published, dispatch_uid="portal.guidance.index_on_publish")
def _index_published_guidance(sender, instance, **kwargs):
    if isinstance(instance, GuidancePage):
        index_object(instance)


@receiver(page_unpublished, dispatch_uid="portal.guidance.remove_on_unpublish")
def _remove_unpublished_guidance(sender, instance, **kwargs):
    if isinstance(instance, GuidancePage):
        remove_object(instance)
