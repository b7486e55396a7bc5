"""The portal's own models: the user account and the site's general pages.

Each app's listing for the home page lives with that app (``home_items``
functions), so the home page never needs to know how guidance, events,
threads or case studies are stored.
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.blocks import ContentBlocks


class User(AbstractUser):
    """A person who can sign in. Profile details live on ``directory.Member``.

    People sign in with their e-mail address; ``username`` is filled in by
    allauth and never shown.
    """

    email = models.EmailField("e-mail address")

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_unique_ci", condition=~models.Q(email="")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.username


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
        from portal.home import home_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections(request.user)
        return context


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
        from portal.permissions import is_member

        if not self.is_public and not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)
