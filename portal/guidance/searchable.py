"""The portal's searchable content: guidance pages, audience-aware.

Superseded guidance stays searchable (people look for it by its old title)
but carries ``extra["superseded"] = True`` and ``extra["boost"] = 0.2`` so the
search backends rank it below current guidance; see search/registry.py.
Search entries are refreshed when guidance is published or unpublished.
"""
from __future__ import annotations

from portal.guidance.models import Audience, GuidancePage
from search.pages import PageSearchable, register_page_type
from search.registry import MEMBERS, PUBLIC, SearchDocument

SUPERSEDED_BOOST = 0.2


class GuidanceSearchable(PageSearchable):
    kind = "guidance"
    label = "Guidance"
    model = GuidancePage

    def queryset(self):
        return GuidancePage.objects.live().prefetch_related("topics")

    def to_document(self, obj) -> SearchDocument | None:
        page = self.page_for(obj)
        if page is None:
            return None
        superseded = page.superseded_by_id is not None
        return SearchDocument(
            kind=self.kind,
            pk=str(page.pk),
            title=page.title,
            body=f"{page.summary}\n{self.body_text(page)}",
            url=page.url or "",
            audience=MEMBERS if page.audience == Audience.MEMBERS else PUBLIC,
            service_areas=tuple(t.name for t in page.topics.all()),
            organisation="",
            date=page.last_published_at,
            extra={"superseded": superseded, "boost": SUPERSEDED_BOOST if superseded else 1.0},
        )


register_page_type(GuidanceSearchable())
