"""Security headers: a Content-Security-Policy without inline scripts, and the production hardening.

``check --deploy`` with no warnings is tested in tests/portal/test_settings.py
(test_production_settings_pass_check_deploy_with_no_warnings); two-factor
authentication for administrators and SHA editors in tests/portal/test_accounts.py
(test_administrator_without_mfa_is_sent_to_set_it_up and the tests after it).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.portal.test_settings import PRODUCTION_ENV, run_manage

REPOSITORY = Path(__file__).resolve().parents[2]
APPS = ("portal", "directory", "redesign", "events", "forum", "search")


def directives(response) -> dict[str, set[str]]:
    policy = response["Content-Security-Policy"]
    return {name: set(sources) for name, *sources in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.django_db
def test_public_pages_allow_scripts_from_the_portal_only(client):
    policy = directives(client.get("/"))

    assert policy["script-src"] == {"'self'"}
    assert policy["default-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.django_db
def test_wagtail_admin_alone_may_run_its_inline_scripts(client_for, network_admin):
    client = client_for(network_admin)

    admin_policy = directives(client.get("/admin/"))
    site_policy = directives(client.get("/directory/"))

    assert "'unsafe-inline'" in admin_policy["script-src"]
    assert "'unsafe-inline'" not in site_policy["script-src"]


def _templates():
    for app in APPS:
        yield from (REPOSITORY / app / "templates").rglob("*.html")


def test_no_template_has_an_inline_script_or_event_handler():
    """JavaScript lives in static files, so the policy above never has to allow inline script."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    offenders = [
        str(path.relative_to(REPOSITORY))
        for path in _templates()
        if inline_script.search(path.read_text()) or handler.search(path.read_text())
    ]
    assert not offenders


def test_production_sends_hsts_and_only_secure_cookies():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_REFERRER_POLICY)"
    )
    result = run_manage("shell", "-c", code, env=PRODUCTION_ENV)

    assert result.stdout.splitlines()[-1].split() == ["31536000", "True", "True", "True", "True", "True", "strict-origin-when-cross-origin"], result.stderr


@pytest.mark.django_db
def test_every_page_sends_referrer_policy_nosniff_and_frame_protection(client):
    response = client.get("/")

    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == {"'self'"}
