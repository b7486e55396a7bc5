"""The viewer's roles, permissions and authenticator, kept in the cache between requests (portal/core/permissions.py).

Every test here runs with the facts cached across requests, as in production
with Redis (the embedded mode asks the database once per request instead), and
proves that each kind of change is seen on the viewer's very next request.
"""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core.permissions import forget_viewer_facts, viewer_facts
from portal.core.roles import Role, grant_role, revoke_role

ADMIN_LINK = '<a class="nhsuk-header__account-link" href="/admin/">Administration</a>'


@pytest.fixture(autouse=True)
def facts_cached(settings):
    settings.PORTAL_VIEWER_FACTS_CACHED = True


def admin_link_shown(client) -> bool:
    response = client.get("/directory/")
    assert response.status_code == 200
    return ADMIN_LINK in response.content.decode()


def test_a_signed_in_page_asks_the_database_nothing_about_roles_or_permissions_once_cached(client_for, network_admin):
    client = client_for(network_admin)
    client.get("/directory/")

    with CaptureQueriesContext(connection) as captured:
        assert admin_link_shown(client)

    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "auth_group" not in sql and "auth_permission" not in sql and "mfa_authenticator" not in sql, sql


def test_granting_a_role_shows_on_the_next_request(client_for, make_member, region):
    person = make_member(mfa=True)
    client = client_for(person)
    assert not admin_link_shown(client)

    grant_role(person.user, Role.NETWORK_ADMIN)

    assert admin_link_shown(client)


def test_revoking_a_role_takes_effect_on_the_next_request(client_for, network_admin):
    client = client_for(network_admin)
    assert client.get("/admin/").status_code == 200

    revoke_role(network_admin.user, Role.NETWORK_ADMIN)

    assert client.get("/admin/").status_code in (302, 403)
    assert not admin_link_shown(client)


def test_removing_someone_from_the_group_side_takes_effect_on_the_next_request(client_for, network_admin):
    client = client_for(network_admin)
    assert admin_link_shown(client)

    Group.objects.get(name=str(Role.NETWORK_ADMIN)).user_set.remove(network_admin.user)

    assert not admin_link_shown(client)


def test_changing_a_roles_permissions_takes_effect_on_the_next_request(client_for, network_admin):
    client = client_for(network_admin)
    assert admin_link_shown(client)

    Group.objects.get(name=str(Role.NETWORK_ADMIN)).permissions.remove(Permission.objects.get(codename="access_admin"))

    assert not admin_link_shown(client)


def test_a_personal_permission_takes_effect_on_the_next_request(client_for, member):
    client = client_for(member)
    assert not admin_link_shown(client)

    member.user.user_permissions.add(Permission.objects.get(codename="access_admin"))

    assert admin_link_shown(client)


def test_making_someone_a_superuser_takes_effect_on_the_next_request(client_for, member):
    client = client_for(member)
    assert not admin_link_shown(client)

    member.user.is_superuser = True
    member.user.save(update_fields=["is_superuser"])
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(member.user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")  # superusers must use two-factor too

    assert admin_link_shown(client)


def test_setting_up_an_authenticator_lets_an_administrator_in_on_the_next_request(client, make_member, region):
    admin = make_member(roles=[Role.MEMBER, Role.NETWORK_ADMIN], organisations=[region["sha"]])
    client.force_login(admin.user)
    assert client.get("/directory/")["Location"] == "/accounts/2fa/totp/activate/"
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(admin.user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    assert client.get("/directory/").status_code == 200


def test_removing_the_authenticator_sends_an_administrator_back_to_set_one_up(client_for, network_admin):
    from allauth.mfa.models import Authenticator

    client = client_for(network_admin)
    assert client.get("/directory/").status_code == 200

    Authenticator.objects.filter(user=network_admin.user).delete()

    assert client.get("/directory/")["Location"] == "/accounts/2fa/totp/activate/"


def test_facts_read_while_a_change_is_being_committed_are_not_used_after_it(network_admin, django_capture_on_commit_callbacks):
    """A request that reads the old rows after the change has moved the generation on, but before it commits, stores them
    under the new generation; the second move, after the commit, must make them unused."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with django_capture_on_commit_callbacks(execute=True):
        forget_viewer_facts()  # what a role change does first
        viewer_facts(User.objects.get(pk=network_admin.user.pk))  # the other request: still sees the role
        User.groups.through.objects.filter(user=network_admin.user, group__name=str(Role.NETWORK_ADMIN)).delete()  # the rows change

    assert str(Role.NETWORK_ADMIN) not in viewer_facts(User.objects.get(pk=network_admin.user.pk)).roles


def test_without_a_shared_cache_each_request_reads_the_roles_afresh(client_for, network_admin, settings):
    """The embedded mode's in-memory cache is one process's: a role changed from another process must still count."""
    settings.PORTAL_VIEWER_FACTS_CACHED = False
    client = client_for(network_admin)
    assert admin_link_shown(client)

    # As another process would (manage.py shell): no signal reaches this one.
    from django.contrib.auth import get_user_model

    get_user_model().groups.through.objects.filter(user=network_admin.user, group__name=str(Role.NETWORK_ADMIN)).delete()

    assert not admin_link_shown(client)


def test_a_change_made_behind_the_portals_back_is_seen_once_the_facts_expire(client_for, network_admin, monkeypatch):
    """The time-to-live bounds what no signal reports (SQL by hand, a restore, a change while Redis was away)."""
    import time

    from portal.core import permissions

    monkeypatch.setattr(permissions, "FACTS_TIMEOUT", 1)
    client = client_for(network_admin)
    assert admin_link_shown(client)
    from django.contrib.auth import get_user_model

    get_user_model().groups.through.objects.filter(user=network_admin.user, group__name=str(Role.NETWORK_ADMIN)).delete()
    assert admin_link_shown(client)  # no signal: the cached facts still stand

    time.sleep(1.2)

    assert not admin_link_shown(client)
