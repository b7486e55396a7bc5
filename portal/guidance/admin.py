"""Wagtail admin pieces for guidance: the links library's snippet view set.

Registered from ``portal.guidance.models`` by dotted path (``register_snippet`` defers
until the apps are ready), so no ``wagtail_hooks`` module is needed.
"""
from __future__ import annotations

from wagtail.models import PagePermissionTester
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


class GuidancePermissionTester(PagePermissionTester):
    """Page permissions for guidance: approving it is what lets a second SHA editor publish it.

    SHA editors hold no publish permission (portal/core/roles.py), so they cannot
    publish a draft straight away.  Wagtail publishes an approved page as
    the approver, so the approver may publish exactly the revision they have
    just approved in a finished two-editor workflow, and nothing else.
    """

    def can_publish(self):
        if super().can_publish():
            return True
        return self.user.is_active and self._approved_latest_revision()

    def _approved_latest_revision(self) -> bool:
        from wagtail.models import TaskState, WorkflowState

        if not self.page.latest_revision_id:
            return False
        return TaskState.objects.filter(
            workflow_state__in=WorkflowState.objects.for_instance(self.page).filter(status=WorkflowState.STATUS_APPROVED),
            status=TaskState.STATUS_APPROVED,
            finished_by=self.user,
            revision_id=self.page.latest_revision_id,
        ).exists()
