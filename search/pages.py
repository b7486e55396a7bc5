"""Wagtail pages in search: what every searchable page type shares.

A page is searchable while it is live and has no view restriction; its search
entry is refreshed when it is published and removed when it is unpublished.
A page type subclasses ``PageSearchable``, builds its document from
``page_for`` and ``body_text``, and is registered with ``register_page_type``;
a page type described by a plain ``Searchable`` (case studies) is registered with it too.
"""
from __future__ import annotations

from django.utils.html import strip_tags
from wagtail.signals import page_published, page_unpublished

from search.registry import Searchable, register
from search.services import index_object, remove_object


class PageSearchable(Searchable):
    """A Wagtail page type's search description."""

    def page_for(self, obj):
        """The specific page when it may be searched (live, no view restriction), else None."""
        page = obj.specific if type(obj) is not self.model else obj
        if not page.live or page.get_view_restrictions().exists():
            return None
        return page

    @staticmethod
    def body_text(page) -> str:
        """The plain text of the page's StreamField ``body``."""
        return strip_tags(" ".join(" ".join(child.block.get_searchable_content(child.value)) for child in page.body))


def register_page_type(searchable: Searchable) -> Searchable:
    """Register the page type and keep its search entries in step with publishing."""
    model = searchable.model

    def published(sender, instance, **kwargs):
        if isinstance(instance, model):
            index_object(instance)

    def unpublished(sender, instance, **kwargs):
        if isinstance(instance, model):
            remove_object(instance)

    label = model._meta.label_lower
    page_published.connect(published, weak=False, dispatch_uid=f"search.pages.{label}.published")
    page_unpublished.connect(unpublished, weak=False, dispatch_uid=f"search.pages.{label}.unpublished")
    return register(searchable)
