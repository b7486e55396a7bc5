"""The site's general pages: the home page and plain content pages (about, accessibility, privacy).

Each app's listing for the home page lives with that app (``home_items``
functions), so the home page never needs to know how guidance, events,
threads or case studies are stored.  They belong to the ``portal`` app
(``portal.models`` imports them so Django registers them there).
"""
from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.core.blocks import ContentBlocks
from portal.core.home_items import home_sections
from portal.core.page_cache import serve_cached
from portal.core.permissions import is_member


class HomePage(Page):
    """The front page: what is new across the network, for whoever is looking."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences under the title saying what the network is for.",
    )
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections(request.user, request=request)
        return context

    def serve(self, request, *args, **kwargs):
        return serve_cached(request, self, lambda: super(HomePage, self).serve(request, *args, **kwargs))


class StandardPage(Page):
    """A plain content page: about the network, how to join, accessibility statement."""

    introduction = models.TextField(blank=True)
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)
    is_public = models.BooleanField(
        default=True, help_text="Untick to show this page to signed-in members only."
    )

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body"), FieldPanel("is_public")]
    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    subpage_types = ["portal.StandardPage"]

    def serve(self, request, *args, **kwargs):
        if not self.is_public and not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)
