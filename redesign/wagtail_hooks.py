"""Wagtail integration: documents that belong to members-only re-design content are served to members only."""
from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from wagtail import hooks

from portal.permissions import is_member


@hooks.register("before_serve_document")
def protect_redesign_documents(document, request):
    # Wagtail's serve view is the one way documents leave the portal; a template
    # marked for members, or a matrix entry's attachment, must not leak through
    # its direct /documents/ URL.
    from redesign.models import Audience, EntryDocument, TemplateVersion

    if is_member(request.user):
        return None
    members_only = (
        EntryDocument.objects.filter(document=document).exists()
        or TemplateVersion.objects.filter(document=document, template__audience=Audience.MEMBERS).exists()
    )
    if not members_only:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return HttpResponseForbidden("This document is for members of the network.")
