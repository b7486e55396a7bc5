"""Accounts as an attacker tries them: finding out who has an account, locking owners out, and
enrolling an authenticator with a stolen password.

Each test reproduces a finding of the outside probe (issue 21, items 11 and 17) over HTTP.
"""
from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client

from portal.core.roles import Role
from tests.conftest import DEMO_PASSWORD
from tests.security.hashers import CountingHasher

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
ACTIVATE_TOTP = "/accounts/2fa/totp/activate/"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def sign_up(email: str, region) -> tuple:
    """Sign up from a fresh browser; returns the response, the page it leads to, and the hashing it cost."""
    client = Client()
    CountingHasher.calls = 0
    response = client.post(
        SIGNUP,
        {
            "email": email,
            "password1": "Sixteen-letters-77",
            "password2": "Sixteen-letters-77",
            "first_name": "Nadia",
            "last_name": "Hussain",
            "job_role": "pharmacist",
            "organisation": region["practice"].pk,
        },
    )
    hashed = CountingHasher.calls
    page = client.get(response["Location"]).content.decode().replace(email, "ADDRESS")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return response, page, hashed


def test_sign_up_with_a_registered_address_looks_and_costs_the_same_as_with_a_new_one(settings, region, member):
    """ACCOUNT_PREVENT_ENUMERATION: same answer, same page, and the same password hashing (scrypt takes
    a noticeable time in production, so skipping it for a known address told the attacker by the clock)."""
    settings.PASSWORD_HASHERS = ["tests.security.hashers.CountingHasher"]

    known, known_page, known_hashing = sign_up(member.user.email, region)
    new, new_page, new_hashing = sign_up("not-yet-a-member@example.nhs.uk", region)

    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert known_page == new_page
    assert known_hashing == new_hashing >= 1


def failed_sign_in(address: str, source: str):
    return Client(REMOTE_ADDR=source).post(LOGIN, {"login": address, "password": "not-the-password-1"})


def test_five_wrong_passwords_from_one_source_do_not_lock_the_owner_out_elsewhere(member):
    for _ in range(5):
        failed_sign_in(member.user.email, ATTACKER)

    owner = Client(REMOTE_ADDR=OWNER)
    response = owner.post(LOGIN, {"login": member.user.email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert int(owner.session["_auth_user_id"]) == member.user.pk


def test_wrong_passwords_for_one_address_from_one_source_are_still_limited(member):
    for _ in range(5):
        failed_sign_in(member.user.email, ATTACKER)

    attacker = Client(REMOTE_ADDR=ATTACKER)
    response = attacker.post(LOGIN, {"login": member.user.email, "password": DEMO_PASSWORD})

    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in attacker.session


@pytest.fixture
def new_administrator(make_member, region):
    """A member just appointed network administrator, with no authenticator app yet."""
    return make_member(first_name="Sam", last_name="Price", roles=[Role.MEMBER, Role.NETWORK_ADMIN], organisations=[region["sha"]])


def signed_in_with_password(member) -> Client:
    client = Client()
    response = client.post(LOGIN, {"login": member.user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def totp_secret(client) -> str:
    page = client.get(ACTIVATE_TOTP)
    assert page.status_code == 200, page.get("Location")
    return page.context["form"].secret


def current_code(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_new_administrator_cannot_enrol_an_authenticator_with_the_password_alone(new_administrator):
    """Someone holding only the password (typed again to re-authenticate) gets no authenticator of their own."""
    client = signed_in_with_password(new_administrator)
    client.post("/accounts/reauthenticate/", {"password": DEMO_PASSWORD})

    page = client.get(ACTIVATE_TOTP)

    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/reauthenticate/code/")
    assert b"Use your password" not in client.get(page["Location"]).content
    client.post(ACTIVATE_TOTP, {"code": "123456"})
    assert not Authenticator.objects.filter(user=new_administrator.user).exists()


def test_new_administrator_enrols_after_confirming_the_code_sent_to_their_address(new_administrator):
    client = signed_in_with_password(new_administrator)
    first = client.get(ACTIVATE_TOTP)
    asked = client.get(first["Location"])
    assert asked.status_code == 200

    mail.outbox.clear()
    sent = client.post(first["Location"], {"recipient": new_administrator.user.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
    confirmed = client.post(sent["Location"], {"code": code})
    assert confirmed.status_code == 302

    secret = totp_secret(client)
    response = client.post(ACTIVATE_TOTP, {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=new_administrator.user, type=Authenticator.Type.TOTP).exists()
