"""Wagtail integration: documents are served to members only unless they are public (``document_is_members_only``)."""
from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from wagtail import hooks

from portal.core.permissions import is_member
from redesign.documents import document_is_members_only


@hooks.register("before_serve_document")
def protect_members_documents(document, request):
    # Wagtail's serve view is the one way documents leave the portal
    # (WAGTAILDOCS_SERVE_METHOD = "serve_view"): a members-only template, a matrix
    # entry's attachment or any document outside the public collection must not
    # leak through its direct /documents/ address.
    if is_member(request.user) or not document_is_members_only(document):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return HttpResponseForbidden("This document is for members of the network.")
