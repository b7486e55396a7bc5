"""The signed-in viewer read once per request, with their member row (portal/core/permissions.py).

Every signed-in page asks whether its viewer is an approved member (the header and the page's own
check), so ``CachedPermissionBackend.get_user`` reads the member row in the same query as the user,
and every sign-in records the session against that backend (``portal.site.accounts.AccountAdapter``).
The checks are unchanged: the row is read afresh on each request.
"""
from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Member
from tests.conftest import DEMO_PASSWORD

# The empty search form draws nothing but the chrome: the user and their member row are its one query (the
# session and the viewer's roles and permissions come from the cache: portal/core/permissions.py).
PINNED_CHROME_QUERIES = 1


def test_a_signed_in_page_reads_the_user_and_their_member_row_in_one_query(client_for, member, django_assert_num_queries):
    client = client_for(member)
    client.get("/search/")

    with django_assert_num_queries(PINNED_CHROME_QUERIES):
        response = client.get("/search/")

    assert response.status_code == 200


def test_the_one_query_joins_the_member_row_to_the_user(client_for, member):
    client = client_for(member)
    client.get("/search/")

    with CaptureQueriesContext(connection) as captured:
        client.get("/search/")

    (query,) = captured.captured_queries
    assert "portal_user" in query["sql"] and "directory_member" in query["sql"], query["sql"]


def test_signing_in_records_the_session_against_the_backend_that_reads_the_member_row(client, member):
    response = client.post("/accounts/login/", {"login": member.user.email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "portal.core.permissions.CachedPermissionBackend"


def test_a_member_no_longer_approved_is_refused_on_their_next_request(client_for, member):
    client = client_for(member)
    assert client.get("/directory/").status_code == 200

    Member.objects.filter(pk=member.pk).update(status=Member.Status.DECLINED)

    assert client.get("/directory/").status_code != 200


def test_a_deactivated_account_is_signed_out_on_its_next_request(client_for, member):
    client = client_for(member)
    assert client.get("/directory/").status_code == 200

    type(member.user).objects.filter(pk=member.user.pk).update(is_active=False)

    response = client.get("/directory/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_signed_in_account_without_a_member_row_is_not_a_member(client, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", email="nobody@example.nhs.uk", password=DEMO_PASSWORD)
    client.force_login(user)

    response = client.get("/directory/")

    assert response.status_code != 200
