"""Account e-mails link to PORTAL_BASE_URL, whatever host name the request that sent them used."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def _only_link(body: str, path_part: str) -> str:
    links = [link for link in LINK.findall(body) if path_part in link]
    assert len(links) == 1, body
    return links[0]


def test_confirmation_email_links_to_the_portal_address_not_the_request_host(client, region, settings):
    settings.PORTAL_BASE_URL = "http://portal.example.nhs.uk:8000"
    client.post("/accounts/signup/", {
        "email": "nadia@suffolk-pharmacy.example", "password1": DEMO_PASSWORD, "password2": DEMO_PASSWORD,
        "first_name": "Nadia", "last_name": "Hussain", "job_role": "pharmacist", "organisation": region["practice"].pk,
    }, HTTP_HOST="127.0.0.1")  # the portal reached by another name

    link = _only_link(mail.outbox[-1].body, "/accounts/confirm-email/")

    assert link.startswith("http://portal.example.nhs.uk:8000/accounts/confirm-email/")
    assert client.get(urlsplit(link).path).status_code == 200


def test_password_reset_email_links_to_the_portal_address(client, member, settings):
    settings.PORTAL_BASE_URL = "http://portal.example.nhs.uk:8000"
    client.post("/accounts/password/reset/", {"email": member.user.email}, HTTP_HOST="127.0.0.1")

    link = _only_link(mail.outbox[-1].body, "/accounts/password/reset/key/")

    assert link.startswith("http://portal.example.nhs.uk:8000/accounts/password/reset/key/")
    assert client.get(urlsplit(link).path).status_code in (200, 302)
