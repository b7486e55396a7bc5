"""Wagtail admin pieces for guidance: the links library's snippet view set, and who may publish guidance.

Registered from ``portal.guidance.models`` by dotted path (``register_snippet`` defers
until the apps are ready), so no ``wagtail_hooks`` module is needed.
"""
from __future__ import annotations

from wagtail.models import PagePermissionTester
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.guidance.models import Link, has_two_editor_approval


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


class GuidancePermissionTester(PagePermissionTester):
    """Page permissions for guidance: only a revision a second SHA editor approved may go live.

    Publication of guidance requires a completed two-editor approval of that
    revision, whatever the user's other page permissions: network
    administrators and superusers included, and superseding included (it is a
    change to the old page).  Wagtail publishes an approved page as the
    approver, so the approver may publish exactly the revision they have just
    approved; nobody may publish any other.  ``GuidancePage.publish``, the
    ``before_publish_page`` hook and ``GuidanceIndexPermissionTester`` close
    the doors that do not ask this tester (portal/wagtail_hooks.py).
    """

    def can_publish(self):
        return self.user.is_active and has_two_editor_approval(self.page, self.page.latest_revision_id)


class GuidanceIndexPermissionTester(PagePermissionTester):
    """Nobody creates guidance as live, or copies it live, under a guidance index: it is drafted and reviewed."""

    def can_publish_subpage(self):
        return False
