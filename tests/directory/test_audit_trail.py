"""Member approval, decline, invitation, deactivation, erasure, imports and role changes go on the audit trail."""
from __future__ import annotations

import pytest

from directory import services
from portal.core.models import AuditEvent
from portal.core.roles import Role, grant_role

pytestmark = pytest.mark.django_db


def _event(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


def test_approving_a_member_is_recorded_with_the_administrator_and_member(network_admin, make_member):
    waiting = make_member(status="pending")

    services.approve_member(waiting, by=network_admin.user)

    event = _event("directory.member.approved")
    assert (event.actor, event.subject) == (network_admin.user, waiting.user)
    assert (event.target_type, event.target_id) == ("directory.member", str(waiting.pk))


def test_approval_also_records_the_members_role_granted_by_the_administrator(network_admin, make_member):
    waiting = make_member(status="pending")

    services.approve_member(waiting, by=network_admin.user)

    event = AuditEvent.objects.get(action="portal.role.granted", subject=waiting.user)
    assert (event.actor, event.target_label) == (network_admin.user, str(Role.MEMBER))


def test_declining_a_member_is_recorded_with_the_reason(network_admin, make_member):
    waiting = make_member(status="pending")

    services.decline_member(waiting, by=network_admin.user, reason="Not part of the network")

    event = _event("directory.member.declined")
    assert (event.actor, event.subject) == (network_admin.user, waiting.user)
    assert event.detail == {"reason": "Not part of the network"}


def test_an_invitation_is_recorded_without_the_invitees_address(network_admin):
    invitation = services.invite_member("newcomer@example.nhs.uk", by=network_admin.user)

    event = _event("directory.invitation.sent")
    assert event.actor == network_admin.user
    assert event.target_id == str(invitation.pk)
    assert "newcomer" not in event.target_label + str(event.detail)


def test_deactivating_and_reactivating_are_recorded(network_admin, member):
    services.deactivate_member(member, by=network_admin.user)
    services.reactivate_member(member, by=network_admin.user)

    assert _event("directory.member.deactivated").subject == member.user
    assert _event("directory.member.reactivated").actor == network_admin.user


def test_erasure_is_recorded_and_the_trail_shows_no_name_for_the_erased_member(network_admin, member):
    services.erase_member(member, by=network_admin.user)

    event = _event("directory.member.erased")
    assert event.actor == network_admin.user
    assert event.target_display == f"Former member (account {member.user.pk})"


def test_erasure_records_the_roles_it_removes(network_admin, member):
    services.erase_member(member, by=network_admin.user)

    removed = AuditEvent.objects.filter(action="portal.role.removed", subject=member.user)
    assert [(e.actor, e.target_label) for e in removed] == [(network_admin.user, str(Role.MEMBER))]


def test_importing_members_is_recorded_once_with_the_count(network_admin, region):
    csv_text = "email,first_name,last_name,job_role\nann@example.nhs.uk,Ann,Lee,gp\nbob@example.nhs.uk,Bob,Ray,gp\n"

    services.import_members_csv(csv_text, by=network_admin.user)

    event = _event("directory.members.imported")
    assert (event.actor, event.detail["count"]) == (network_admin.user, 2)


def test_a_role_granted_in_the_wagtail_user_editor_is_recorded_with_the_superuser(client_for, network_admin, member, roles):
    from django.urls import reverse

    network_admin.user.is_superuser = True  # only superusers edit accounts in the Wagtail admin
    network_admin.user.save(update_fields=["is_superuser"])
    client = client_for(network_admin)
    user = member.user
    response = client.post(reverse("wagtailusers_users:edit", args=[user.pk]), {
        "username": user.username, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "is_active": "on", "groups": [roles[Role.MEMBER].pk, roles[Role.MODERATOR].pk],
    })
    assert response.status_code == 302

    event = AuditEvent.objects.get(action="portal.role.granted", subject=user, target_label=str(Role.MODERATOR))
    assert event.actor == network_admin.user


def test_a_role_change_without_a_person_behind_it_is_recorded_as_the_system(member):
    grant_role(member.user, Role.CLUSTER_LEAD)

    event = AuditEvent.objects.get(action="portal.role.granted", target_label=str(Role.CLUSTER_LEAD))
    assert event.actor is None and event.subject == member.user
