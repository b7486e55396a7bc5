"""allauth's pages and e-mails in plain British English and sentence case, with the portal's one subject prefix
(issue 20, item 11)."""
from __future__ import annotations

import re

from django.core import mail

from tests.portal.test_accounts import sign_up

TITLE_CASE = re.compile(r"Sign In|Sign Up|Sign Out|Remember Me|Two-Factor|Forgot Password|Verify Your|Request Code|finalize")


def test_sign_in_page_says_sign_in_and_remember_me_in_sentence_case(client):
    page = client.get("/accounts/login/").content.decode()

    assert re.search(r">\s*Sign in\s*<", page)
    assert "Remember me" in page
    assert not TITLE_CASE.findall(page)


def test_pages_after_sign_up_are_british_and_in_sentence_case(client, region):
    response = sign_up(client, "nadia@suffolk-pharmacy.example", region)
    page = client.get(response["Location"]).content.decode()

    assert "Verify your email address" in page
    assert "finalise" in page
    assert not TITLE_CASE.findall(page)


def test_two_factor_pages_say_two_factor_authentication_in_sentence_case(client_for, network_admin):
    page = client_for(network_admin).get("/accounts/2fa/").content.decode()

    assert "Two-factor authentication" in page
    assert not TITLE_CASE.findall(page)


def test_confirmation_email_names_neither_a_username_nor_the_host_it_was_asked_from(client, region):
    from django.contrib.auth import get_user_model

    sign_up(client, "nadia@suffolk-pharmacy.example", region)

    (message,) = [m for m in mail.outbox if "confirm-email" in m.body]
    username = get_user_model().objects.get(email="nadia@suffolk-pharmacy.example").username
    assert "Hello from" not in message.body
    assert f"user {username}" not in message.body and username not in message.body
    assert "East of England PbC Network" in message.body
    assert message.subject == "[PbC Network] Please confirm your email address"


def test_every_email_the_portal_sends_has_the_same_subject_prefix(client, region, network_admin, member,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "nadia@suffolk-pharmacy.example", region)  # allauth's confirmation, the portal's notice to administrators
        client.post("/accounts/password/reset/", {"email": member.user.email})  # allauth's reset link

    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) >= 3
    assert all(subject.startswith("[PbC Network] ") and not subject.startswith("[PbC Network] [") for subject in subjects), subjects
