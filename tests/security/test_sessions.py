"""Sessions: changing or resetting a password signs every other session out.

Django ties each session to a hash of the password; allauth keeps the session
that made the change (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False) and every
other one — a stolen laptop, a shared PC — is signed out at its next request.
"""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import DEMO_PASSWORD

NEW_PASSWORD = "Another-horse-battery-7"


@pytest.fixture(autouse=True, params=["cached_db", "db"])
def session_engine(request, settings):
    """Every rule here holds for sessions kept in the cache too (production with Redis) and in the database alone (embedded)."""
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{request.param}"
    return request.param


def signed_in(member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=DEMO_PASSWORD)
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/directory/").status_code == 200


def test_changing_the_password_signs_out_every_other_session(member):
    here, elsewhere = signed_in(member), signed_in(member)

    response = here.post("/accounts/password/change/", {"oldpassword": DEMO_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)


def test_resetting_the_password_by_e_mail_signs_out_every_session(member):
    elsewhere = signed_in(member)
    visitor = Client()
    visitor.post("/accounts/password/reset/", {"email": member.user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form = visitor.get(link, follow=True)

    response = visitor.post(form.redirect_chain[-1][0] if form.redirect_chain else link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not is_signed_in(elsewhere)


def test_wrong_current_password_changes_nothing_and_keeps_sessions(member):
    here, elsewhere = signed_in(member), signed_in(member)

    response = here.post("/accounts/password/change/", {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 200
    assert is_signed_in(elsewhere)
    member.user.refresh_from_db()
    assert member.user.check_password(DEMO_PASSWORD)


def test_signing_out_ends_the_session_for_anyone_holding_its_cookie(member):
    client = signed_in(member)
    stolen = Client()
    stolen.cookies = client.cookies.__class__(client.cookies)

    client.post("/accounts/logout/")

    assert not is_signed_in(stolen)


def test_deleting_session_rows_signs_the_person_out_even_when_the_session_is_cached(member):
    """As erasing a member does (directory.services._delete_sessions_after_commit): a query, not a sign-out."""
    from django.contrib.sessions.models import Session

    client = signed_in(member)
    assert is_signed_in(client)

    Session.objects.all().delete()

    assert not is_signed_in(client)
