"""Requests pass through here before any view."""
from __future__ import annotations

import re
import time

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from portal.core import permissions

# C0 control characters and DEL; a tab is let through (it is whitespace a pasted search may carry).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class RejectControlCharactersMiddleware:
    """A query parameter holding a NUL byte or another control character gets a plain 400.

    No form of ours sends one, so it is a probe or a broken link.  Left to the views, PostgreSQL
    refuses a NUL in a string (a 500), and search reported itself down (a 503).  Checked once here, before
    the page cache and every view, so no filter or search box needs its own guard.
    """

    MESSAGE = "The address has characters in it that are not allowed (control characters). Check the link and try again."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("QUERY_STRING") and any(
            CONTROL_CHARACTERS.search(name) or any(CONTROL_CHARACTERS.search(value) for value in values)
            for name, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# Paths someone who must set up MFA can still reach, so they can set it up or leave.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/health/")


class RequireMFAForAdminRolesMiddleware:
    """Administrators and SHA editors must turn on two-factor authentication before anything else.

    They hold other members' contact details and publish guidance, so a
    stolen password alone must not be enough.  Until they set up an
    authenticator app, every page sends them to the set-up page, and the
    set-up page first asks for a code sent to their verified address.
    """

    FIRST_DEVICE_URL_NAMES = ("mfa_activate_totp", "mfa_generate_recovery_codes")

    def __init__(self, get_response):
        self.get_response = get_response
        self._first_device_paths: frozenset[str] | None = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and permissions.needs_mfa(user):
            if not request.path.startswith(MFA_EXEMPT_PREFIXES):
                messages.warning(request, "Your role needs two-factor authentication. Set up an authenticator app to continue.")
                return redirect(reverse("mfa_activate_totp"))
            if request.path in self.first_device_paths() and not confirmed_by_email_code(request):
                # Whoever holds only the password (typed again to re-authenticate) must not get an
                # administrator's authenticator of their own: the first one needs a code sent to the
                # member's verified address (allauth's re-authentication by code).
                return redirect(f"{reverse('account_request_reauthentication_code')}?{urlencode({'next': request.path})}")
        return self.get_response(request)

    def first_device_paths(self) -> frozenset[str]:
        if self._first_device_paths is None:
            self._first_device_paths = frozenset(reverse(name) for name in self.FIRST_DEVICE_URL_NAMES)
        return self._first_device_paths


def confirmed_by_email_code(request) -> bool:
    """Whether this session confirmed a code e-mailed to the member within allauth's re-authentication timeout."""
    for record in get_authentication_records(request, request.user):
        if record.get("method") == "code" and record.get("reauthenticated"):
            if time.time() - record["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
                return True
    return False



class SignInForMembersContentMiddleware:
    """Turn ``permissions.SignInRequired`` from a view into a redirect to sign in that comes back to the same address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, permissions.SignInRequired):
            return redirect_to_login(request.get_full_path())
        return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy everywhere, plus what Wagtail's admin still needs under /admin/.

    The public site runs without any inline script (all JavaScript is in
    static files), so an injected ``<script>`` would not run.  Wagtail 8's
    admin writes a few inline scripts and style attributes of its own; only
    there are ``settings.CSP_ADMIN_ADDITIONS`` added to the policy.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(settings.CSP_ADMIN_PREFIX) and not report_only:
            update = dict(parts.update or {})
            for directive, sources in settings.CSP_ADMIN_ADDITIONS.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
