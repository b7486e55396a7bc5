"""How allauth fits the network's rules: sign-up creates a member who waits for approval."""
from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.shortcuts import render

from directory.services import register_member


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

    def get_email_verification_redirect_url(self, email_address):
        return "/accounts/login/?verified=1"
