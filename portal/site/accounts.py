"""How allauth fits the network's rules: sign-up creates a member who waits for approval.

Two defences against an attacker who knows (or guesses) members' addresses:

- sign-up with an address that already has an account hashes the password
  as a new account would (``SignupForm``), so neither the page nor the time
  it takes says whether the address is known (ACCOUNT_PREVENT_ENUMERATION);
- failed sign-ins are counted per address *and* source (``AccountAdapter``),
  so five wrong passwords typed from elsewhere do not lock the owner out.
"""
from __future__ import annotations

from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.shortcuts import render
from django.urls import reverse

from portal.core.addresses import absolute_url

from directory.services import register_member
from portal.core import permissions

SESSION_BACKEND = "portal.core.permissions.CachedPermissionBackend"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=True)
        details = getattr(form, "cleaned_data", {})
        register_member(
            user,
            job_role=details.get("job_role", ""),
            organisation=details.get("organisation"),
            invitation_token=request.session.pop("invitation_token", None) if hasattr(request, "session") else None,
        )
        return user

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        member = getattr(user, "member", None)
        if user.is_superuser or member is None or member.is_approved:
            return None
        # Until the address is verified, let allauth's verification step run;
        # after that, someone who is not approved gets a page saying why.
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            return None
        from allauth.account.internal.stagekit import clear_login

        clear_login(request)
        return render(request, "account/awaiting_approval.html", {"member": member}, status=403)

    def login(self, request, user) -> None:
        """Sign in, recording the session against ``CachedPermissionBackend`` whichever backend checked the password.

        The backend a session records is the one Django asks for the user on every later request; the
        portal's reads the member row with the user (one query instead of two on every signed-in page).
        """
        user.backend = SESSION_BACKEND
        super().login(request, user)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The ``login_failed`` rate limit's key: the address and where the attempt came from.

        allauth keys it by address alone, so anyone could lock a member out for
        five minutes with five wrong passwords.  Each source still gets five tries
        per address (``ACCOUNT_RATE_LIMITS``) and ten a minute overall.
        """
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails, signed with the network's name and the portal's address (never the host a request came to)."""
        context = {"network_name": settings.PORTAL_NETWORK_NAME, "portal_url": settings.PORTAL_BASE_URL + "/", **context}
        super().send_mail(template_prefix, email, context)

    def get_reauthentication_methods(self, user) -> list[dict]:
        """allauth's ways to re-authenticate, less the password for a first authenticator app.

        An administrator without an authenticator app confirms a code sent to
        their address instead (portal/middleware.py), so a stolen password alone
        never sets one up; offering the password there would lead nowhere.
        """
        methods = super().get_reauthentication_methods(user)
        if permissions.needs_mfa(user):
            methods = [method for method in methods if method["id"] != "reauthenticate"]
        return methods

    def get_email_verification_redirect_url(self, email_address):
        return "/accounts/login/?verified=1"

    # The addresses in allauth's e-mails come from PORTAL_BASE_URL like every other link the portal
    # sends (portal/core/addresses.py), not from whichever host name the request happened to use.
    def get_email_confirmation_url(self, request, emailconfirmation):
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, taking as long for a registered address as for a new one."""

    def try_save(self, request):
        if self.account_already_exists:
            # A new account's password is hashed (scrypt, a noticeable time); without the same work here,
            # a quick answer would tell an attacker that the address already has an account.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
