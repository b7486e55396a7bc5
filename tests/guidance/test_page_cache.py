"""Anonymous visitors' home and guidance pages come from the cache until something on them changes."""
from __future__ import annotations

import pytest

from portal.site.models import HomePage


def _quietly_change_introduction(home, text: str) -> None:
    """A change no signal reports, so only a cached page can still show the old text."""
    HomePage.objects.filter(pk=home.pk).update(introduction=text)


@pytest.fixture
def home(home_page):
    home_page.introduction = "The meeting place for cluster leads."
    home_page.save_revision().publish()
    return home_page


def test_anonymous_home_page_comes_from_cache_until_something_changes(client, home):
    assert b"The meeting place for cluster leads." in client.get("/").content
    _quietly_change_introduction(home, "Changed without telling anyone.")

    assert b"The meeting place for cluster leads." in client.get("/").content


def test_publishing_a_page_refreshes_the_cached_home_page(client, home):
    client.get("/")
    home.introduction = "Share what works across the East of England."
    home.save_revision().publish()

    assert b"Share what works across the East of England." in client.get("/").content


def test_signed_in_member_is_never_served_the_visitors_cached_page(client, client_for, member, home):
    client.get("/")
    _quietly_change_introduction(home, "What members see today.")

    assert b"What members see today." in client_for(member).get("/").content


def test_cached_page_tells_proxies_it_varies_by_cookie(client, home):
    first, cached = client.get("/"), client.get("/")

    assert "Cookie" in first["Vary"]
    assert "Cookie" in cached["Vary"]


def test_republishing_a_guidance_page_refreshes_its_cached_copy(client, make_guidance):
    page = make_guidance(title="Indicative budgets", summary="How budgets are set.")
    assert b"How budgets are set." in client.get(page.url).content

    page.summary = "How budgets are set for 2008/09."
    page.save_revision().publish(skip_permission_checks=True)

    assert b"How budgets are set for 2008/09." in client.get(page.url).content


def test_cached_page_is_answered_without_a_database_query(client, home, django_assert_num_queries):
    client.get("/")

    with django_assert_num_queries(0):
        response = client.get("/")

    assert response.status_code == 200
    assert b"The meeting place for cluster leads." in response.content


def test_cached_page_still_carries_the_security_headers(client, home):
    client.get("/")

    cached = client.get("/")

    assert "default-src" in cached["Content-Security-Policy"]
    assert cached["X-Frame-Options"] == "DENY"
    assert cached["X-Content-Type-Options"] == "nosniff"


def test_page_made_private_is_no_longer_answered_from_the_cache(client, make_guidance):
    from wagtail.models import PageViewRestriction

    page = make_guidance(title="Indicative budgets", summary="How budgets are set.")
    assert b"How budgets are set." in client.get(page.url).content

    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(page.url)

    assert response.status_code == 302
    assert b"How budgets are set." not in response.content


def test_a_visitor_with_flash_messages_is_not_answered_from_the_cache(client, home):
    client.get("/")
    _quietly_change_introduction(home, "Rendered afresh for this visitor.")
    client.cookies["messages"] = "anything"

    assert b"Rendered afresh for this visitor." in client.get("/").content


def test_health_check_answers_without_the_page_cache_when_redis_is_down(client, db):
    from django.test import override_settings

    stopped_redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=stopped_redis):
        response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["components"]["cache"]["ok"] is False
