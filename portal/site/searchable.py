"""The site's own pages in search: About, Accessibility statement, Privacy … (people look for them by name).

On the roof: StandardPage is a site page.  Entries are refreshed when a page is published or unpublished.
"""
from __future__ import annotations

from portal.site.models import StandardPage
from search.pages import PageSearchable, register_page_type
from search.registry import MEMBERS, PUBLIC, SearchDocument

#: The site's own pages weigh this much against topical content: found by name, never ahead of the network's work.
PAGE_BOOST = 0.6


class StandardPageSearchable(PageSearchable):
    """The portal's own pages (About, Accessibility statement, Privacy …): people look for them by name."""

    kind = "page"
    label = "Pages"
    model = StandardPage

    def queryset(self):
        return StandardPage.objects.live()

    def to_document(self, obj) -> SearchDocument | None:
        page = self.page_for(obj)
        if page is None:
            return None
        return SearchDocument(
            kind=self.kind,
            pk=str(page.pk),
            title=page.title,
            body=f"{page.introduction}\n{self.body_text(page)}",
            url=page.url or "",
            audience=PUBLIC if page.is_public else MEMBERS,
            date=page.last_published_at,
            extra={"boost": PAGE_BOOST},
        )


register_page_type(StandardPageSearchable())
