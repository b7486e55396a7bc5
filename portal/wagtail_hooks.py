"""Wagtail admin hooks: the doors to publishing guidance that do not ask the page's permission tester,
and the newsletter in the administrators' navigation (the admin menu, beside "Event bookings").

Wagtail's create and edit views check publish permission themselves and then publish with
``skip_permission_checks``; copying a page can keep the copies live.  Publication of guidance needs a
completed two-editor approval of that revision whoever asks (``portal.guidance.models.has_two_editor_approval``), so these doors ask too.
"""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin.menu import LinkMenuItemComponent, MenuItem

from portal.core.permissions import has_role
from portal.core.roles import Role
from portal.guidance.models import GuidancePage, NewsletterArchivePage, has_two_editor_approval

NOT_APPROVED = "Guidance goes live only after a second SHA editor approves it. Your changes are saved as a draft: submit it for review."


@hooks.register("before_publish_page")
def refuse_unapproved_guidance(request, page):
    if isinstance(page.specific, GuidancePage) and not has_two_editor_approval(page, page.latest_revision_id):
        messages.error(request, NOT_APPROVED)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_copy_page")
def refuse_copying_guidance_live(request, page):
    if request.method == "POST" and request.POST.get("publish_copies"):
        guidance = GuidancePage.objects.descendant_of(page, inclusive=True)
        if guidance.exists():
            messages.error(request, "Copies of guidance start as drafts: copy it without publishing, then submit the copy for review.")
            return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


def newsletter_compose_url() -> str:
    """The "write an issue" page, wherever editors put the newsletter section ("" when there is none)."""
    archive = NewsletterArchivePage.objects.live().first()
    return archive.url + archive.reverse_subpage("compose") if archive and archive.url else ""


class NewsletterMenuItem(MenuItem):
    """Shown to network administrators, who send the newsletter; its address is looked up when the menu is drawn."""

    def is_shown(self, request):
        return has_role(request.user, Role.NETWORK_ADMIN) and bool(newsletter_compose_url())

    def render_component(self, request):
        return LinkMenuItemComponent(self.name, self.label, newsletter_compose_url(), icon_name=self.icon_name)


@hooks.register("register_admin_menu_item")
def register_newsletter_menu_item():
    return NewsletterMenuItem("Newsletter", "", name="newsletter", icon_name="mail", order=360)
