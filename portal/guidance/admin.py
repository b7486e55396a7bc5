"""Wagtail admin pieces for guidance: the links library's snippet view set.

Registered from ``portal.guidance.models`` by dotted path (``register_snippet`` defers
until the apps are ready), so no ``wagtail_hooks`` module is needed.
"""
from __future__ import annotations

from wagtail.snippets.views.snippets import SnippetViewSet

from portal.guidance.models import Link


class LinkViewSet(SnippetViewSet):
    model = Link
    icon = "link-external"
    menu_label = "Links library"
    menu_name = "links_library"
    add_to_admin_menu = True
    list_display = ["title", "category", "url", "is_broken", "last_checked_at"]
    list_filter = ["category", "is_broken"]
    search_fields = ["title", "description", "url"]
    ordering = ["category", "title"]
