"""Network administrators manage accounts and roles in Wagtail's user editor, but cannot outrank anyone there."""
from __future__ import annotations

from django.urls import reverse

from portal.core.roles import Role


def edit(client, user, roles, **extra):
    data = {"username": user.username, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "is_active": "on", "groups": [roles[role].pk for role in extra.pop("groups", [Role.MEMBER])], **extra}
    return client.post(reverse("wagtailusers_users:edit", args=[user.pk]), data)


def test_network_admin_lists_accounts_in_the_wagtail_admin(client_for, network_admin, member):
    response = client_for(network_admin).get("/admin/users/")

    assert response.status_code == 200
    assert b"Fiona Marsh" in response.content


def test_sha_editor_cannot_open_the_user_editor(client_for, sha_editor):
    response = client_for(sha_editor).get("/admin/users/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_network_admin_gives_a_member_a_role_and_it_is_audited(client_for, network_admin, member, roles):
    from portal.core.models import AuditEvent

    response = edit(client_for(network_admin), member.user, roles, groups=[Role.MEMBER, Role.MODERATOR])

    assert response.status_code == 302
    assert member.user.groups.filter(name=Role.MODERATOR).exists()
    assert AuditEvent.objects.get(action="portal.role.granted", subject=member.user, target_label=str(Role.MODERATOR)).actor == network_admin.user


def test_network_admin_cannot_make_anyone_a_superuser(client_for, network_admin, member, roles):
    response = edit(client_for(network_admin), member.user, roles, is_superuser="on")

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.is_superuser
    assert b'name="is_superuser"' not in client_for(network_admin).get(reverse("wagtailusers_users:edit", args=[member.user.pk])).content


def test_network_admin_cannot_set_someone_elses_password(client_for, network_admin, member, roles):
    response = edit(client_for(network_admin), member.user, roles, password1="Stolen-account-2026", password2="Stolen-account-2026")

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.check_password("Stolen-account-2026")


def test_network_admin_cannot_edit_a_superusers_account(client_for, network_admin, make_member, roles):
    superuser = make_member(first_name="Sam", last_name="Root").user
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])

    response = edit(client_for(network_admin), superuser, roles, is_active="")

    assert response.status_code in (302, 403)
    superuser.refresh_from_db()
    assert superuser.is_active
