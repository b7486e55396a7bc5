"""Each role sees what it should in the Wagtail admin, and nothing more."""
import pytest

from portal.core.roles import ROLES, Role


@pytest.mark.parametrize("who", ["member", "cluster_lead", "moderator"])
def test_roles_without_admin_access_cannot_open_the_admin(who, request, client_for, db):
    response = client_for(request.getfixturevalue(who)).get("/admin/")

    # Wagtail sends signed-in people without admin access back to sign in.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_visitor_is_sent_to_sign_in_from_the_admin(client, db):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["network_admin", "sha_editor"])
def test_admin_roles_open_the_admin_dashboard(who, request, client_for, db):
    response = client_for(request.getfixturevalue(who)).get("/admin/")

    assert response.status_code == 200


def test_network_admin_manages_organisations_in_the_admin(client_for, network_admin):
    response = client_for(network_admin).get("/admin/snippets/directory/organisation/")

    assert response.status_code == 200
    assert b"Colchester Town Cluster" in response.content


def test_sha_editor_cannot_manage_organisations(client_for, sha_editor):
    response = client_for(sha_editor).get("/admin/snippets/directory/organisation/")

    assert response.status_code in (302, 403)


def test_sha_editor_can_add_pages_but_not_publish_them(client_for, sha_editor):
    from wagtail.models import Page

    home = Page.objects.get(depth=2)
    permissions = home.permissions_for_user(sha_editor.user)

    assert permissions.can_add_subpage()
    assert not permissions.can_publish()


def test_network_admin_can_publish_pages(network_admin):
    from wagtail.models import Page

    assert Page.objects.get(depth=2).permissions_for_user(network_admin.user).can_publish()


def test_only_admin_roles_require_mfa():
    assert {spec.role for spec in ROLES.values() if spec.requires_mfa} == {Role.NETWORK_ADMIN, Role.SHA_EDITOR}


def test_only_admin_roles_have_wagtail_admin_access():
    assert {spec.role for spec in ROLES.values() if "wagtailadmin.access_admin" in spec.permissions} == {Role.NETWORK_ADMIN, Role.SHA_EDITOR}


def test_sync_roles_is_idempotent(roles):
    from django.contrib.auth.models import Group

    from portal.core.roles import sync_roles

    before = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    sync_roles()
    after = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert before == after
    assert set(after) >= {str(role) for role in Role}
