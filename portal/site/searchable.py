"""The site's own pages in search: About, Accessibility statement, Privacy … (people look for them by name).

On the roof: StandardPage is a site page.  Entries are refreshed when a page is published or unpublished.
"""
from __future__ import annotations

from django.dispatch import receiver
from django.utils.html import strip_tags
from wagtail.signals import page_published, page_unpublished

from portal.site.models import StandardPage
from search.registry import MEMBERS, PUBLIC, SearchDocument, Searchable, register

#: The site's own pages weigh this much against topical content: found by name, never ahead of the network's work.
PAGE_BOOST = 0.6


class StandardPageSearchable(Searchable):
    """The portal's own pages (About, Accessibility statement, Privacy …): people look for them by name."""

    kind = "page"
    label = "Pages"
    model = StandardPage

    def queryset(self):
        return StandardPage.objects.live()

    def to_document(self, obj) -> SearchDocument | None:
        page = obj.specific if type(obj) is not StandardPage else obj
        if not page.live or page.get_view_restrictions().exists():
            return None
        body_text = " ".join(" ".join(child.block.get_searchable_content(child.value)) for child in page.body)
        return SearchDocument(
            kind=self.kind,
            pk=str(page.pk),
            title=page.title,
            body=f"{page.introduction}\n{strip_tags(body_text)}",
            url=page.url or "",
            audience=PUBLIC if page.is_public else MEMBERS,
            date=page.last_published_at,
            extra={"boost": PAGE_BOOST},
        )


register(StandardPageSearchable())


@receiver(page_published, dispatch_uid="portal.site.index_page_on_publish")
def _index_published_page(sender, instance, **kwargs):
    if isinstance(instance, StandardPage):
        from search.services import index_object

        index_object(instance)


@receiver(page_unpublished, dispatch_uid="portal.site.remove_page_on_unpublish")
def _remove_unpublished_page(sender, instance, **kwargs):
    if isinstance(instance, StandardPage):
        from search.services import remove_object

        remove_object(instance)
