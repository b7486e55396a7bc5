"""Every change to who is in the network goes through these functions.

Views, the admin, management commands and the demo all call them, so the
rules (an allow-listed domain is approved at once, an invitation approves
its holder, approval grants the Members role and sends an e-mail) hold
whichever door a change comes in by.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from directory.models import AllowedDomain, Invitation, Member, Organisation
from portal.roles import Role, grant_role, revoke_role

logger = logging.getLogger(__name__)
User = get_user_model()


class DirectoryError(Exception):
    """A directory operation was refused; ``user_message`` says why in plain words."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class InvitationInvalid(DirectoryError):
    pass


class AlreadyDecided(DirectoryError):
    pass


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def domain_is_allowed(email: str) -> bool:
    domain = email_domain(email)
    # nhs.net on the list also covers sub-domains such as xyz.nhs.net? No:
    # the list names exact domains, so administrators decide each one.
    return AllowedDomain.objects.filter(domain=domain).exists()


def _send(subject: str, template: str, context: dict, to: str) -> None:
    body = render_to_string(template, {**context, "base_url": settings.PORTAL_BASE_URL})
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]))


@transaction.atomic
def register_member(
    user,
    *,
    job_role: str = "",
    organisation: Organisation | None = None,
    invitation_token: str | None = None,
) -> Member:
    """Create the member record for a new account, approved at once when the rules allow."""
    invitation = None
    if invitation_token:
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token=invitation_token, email__iexact=user.email, accepted_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
    approved = invitation is not None or domain_is_allowed(user.email)
    member, _ = Member.objects.get_or_create(user=user, defaults={"job_role": job_role})
    member.job_role = job_role or member.job_role
    if approved:
        member.status = Member.Status.APPROVED
        member.decided_at = timezone.now()
        member.decided_by = invitation.invited_by if invitation else None
    member.save()
    org = organisation or (invitation.organisation if invitation else None)
    if org is not None:
        member.organisations.add(org)
    if invitation is not None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    if approved:
        grant_role(user, Role.MEMBER)
    else:
        _notify_administrators_of_pending(member)
    return member


def _notify_administrators_of_pending(member: Member) -> None:
    admins = list(
        User.objects.filter(groups__name=str(Role.NETWORK_ADMIN), is_active=True).values_list("email", flat=True)
    )
    if not admins:
        return
    body = render_to_string(
        "directory/email/pending_member.txt", {"member": member, "base_url": settings.PORTAL_BASE_URL}
    )
    transaction.on_commit(lambda: send_mail("New member waiting for approval", body, None, admins))


@transaction.atomic
def approve_member(member: Member, *, by) -> Member:
    """Let a waiting member in: they get the Members role and an e-mail saying they can sign in."""
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.status == Member.Status.APPROVED:
        raise AlreadyDecided(f"{member.display_name} is already approved.")
    if member.status == Member.Status.ERASED:
        raise AlreadyDecided("This member's record has been erased.")
    member.status = Member.Status.APPROVED
    member.decided_at = timezone.now()
    member.decided_by = by
    member.save(update_fields=["status", "decided_at", "decided_by"])
    grant_role(member.user, Role.MEMBER)
    _send("Your PbC Network membership is approved", "directory/email/approved.txt", {"member": member}, member.user.email)
    logger.info("directory.member.approved member=%s by=%s", member.pk, getattr(by, "pk", None))
    return member


@transaction.atomic
def decline_member(member: Member, *, by, reason: str = "") -> Member:
    """Refuse a waiting member; they are told, and can no longer sign in to anything."""
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.status != Member.Status.PENDING:
        raise AlreadyDecided(f"{member.display_name} is not waiting for approval.")
    member.status = Member.Status.DECLINED
    member.decided_at = timezone.now()
    member.decided_by = by
    member.save(update_fields=["status", "decided_at", "decided_by"])
    revoke_role(member.user, Role.MEMBER)
    _send(
        "Your PbC Network membership request",
        "directory/email/declined.txt",
        {"member": member, "reason": reason},
        member.user.email,
    )
    return member


@transaction.atomic
def invite_member(email: str, *, by, organisation: Organisation | None = None) -> Invitation:
    """Invite someone by e-mail; signing up from the link approves them at once."""
    email = email.strip()
    if User.objects.filter(email__iexact=email).exists():
        raise DirectoryError(f"{email} already has an account.")
    invitation = Invitation.objects.create(email=email, invited_by=by, organisation=organisation)
    _send(
        "You are invited to join the PbC Network portal",
        "directory/email/invitation.txt",
        {"invitation": invitation, "inviter": by},
        email,
    )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        raise InvitationInvalid("This invitation link has expired or has already been used. Ask a network administrator for a new one.")
    return invitation
