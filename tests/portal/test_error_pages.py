"""Error pages speak plain English in the portal's own look, including a form refused for a missing CSRF token."""
from django.test import Client


def test_form_sent_without_its_security_token_gets_a_plain_english_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"login": "member@pbc-network.nhs.uk", "password": "x"})

    assert response.status_code == 403
    body = response.content.decode()
    assert 'lang="en-GB"' in body and "<h1>Your form could not be sent</h1>" in body
    assert "Go back, reload the page and try again." in body
    assert "CSRF" not in body
