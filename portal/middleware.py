"""Requests pass through here before any view."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from portal.roles import roles_requiring_mfa

# Paths someone who must set up MFA can still reach, so they can set it up or leave.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/health/")


class RequireMFAForAdminRolesMiddleware:
    """Administrators and SHA editors must turn on two-factor authentication before anything else.

    They hold other members' contact details and publish guidance, so a
    stolen password alone must not be enough.  Until they set up an
    authenticator app, every page sends them to the set-up page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(MFA_EXEMPT_PREFIXES) and self.needs_mfa(user):
            messages.warning(request, "Your role needs two-factor authentication. Set up an authenticator app to continue.")
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def needs_mfa(user) -> bool:
        from allauth.mfa.models import Authenticator

        required = user.is_superuser or user.groups.filter(name__in=roles_requiring_mfa()).exists()
        return required and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
