"""The anonymous page cache (portal/page_cache.py) as an attacker meets it.

Issue 21, finding 1: the cache answers before Wagtail's routing and view restriction checks, so a page
one visitor unlocked with a shared password must never be stored for the next.  Finding 15: every made-up
query string on a cached page must not store another copy of it in Redis.
"""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from wagtail.models import PageViewRestriction

from portal.core.page_cache import _key

PASSWORD = "budget-2008"


@pytest.fixture
def guidance(guidance_index):
    from portal.guidance.models import GuidancePage

    page = GuidancePage(title="Indicative budgets", summary="Draft figures for the 2008/09 budgets.", audience="public")
    guidance_index.add_child(instance=page)
    page.save_revision().publish(skip_permission_checks=True)
    return GuidancePage.objects.get(pk=page.pk)


@pytest.fixture
def events_index(home_page):
    from events.models import EventIndexPage

    index = EventIndexPage(title="Events", slug="events", introduction="Closed meetings of the finance group.")
    home_page.add_child(instance=index)
    index.save_revision().publish()
    return index


def protect_with_password(page) -> PageViewRestriction:
    return PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD)


def unlock(page, restriction) -> Client:
    """A visitor who knows the shared password enters it on the page's form and reads the page."""
    visitor = Client()
    response = visitor.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": PASSWORD, "return_url": page.url},
    )
    assert response.status_code == 302
    assert visitor.get(page.url).status_code == 200
    return visitor


def test_password_protected_guidance_unlocked_by_one_visitor_is_not_served_to_the_next(guidance):
    restriction = protect_with_password(guidance)
    unlock(guidance, restriction)

    response = Client().get(guidance.url)

    assert b"Draft figures for the 2008/09 budgets." not in response.content
    assert b'name="password"' in response.content


def test_child_of_a_password_protected_page_unlocked_by_one_visitor_is_not_served_to_the_next(guidance, guidance_index):
    restriction = protect_with_password(guidance_index)
    unlock(guidance, restriction)

    response = Client().get(guidance.url)

    assert b"Draft figures for the 2008/09 budgets." not in response.content
    assert b'name="password"' in response.content


def test_password_protected_events_index_unlocked_by_one_visitor_is_not_served_to_the_next(events_index):
    restriction = protect_with_password(events_index)
    unlock(events_index, restriction)

    response = Client().get(events_index.url)

    assert b"Closed meetings of the finance group." not in response.content
    assert b'name="password"' in response.content


def test_unlocked_password_protected_page_is_never_stored_in_the_shared_cache(guidance, rf):
    restriction = protect_with_password(guidance)
    visitor = unlock(guidance, restriction)
    visitor.get(guidance.url)

    request = rf.get(guidance.url)
    assert cache.get(_key(request)) is None


def _home_copies(home_page, query_strings) -> int:
    from django.test import RequestFactory

    factory = RequestFactory()
    return sum(cache.get(_key(factory.get(f"/?{query}"))) is not None for query in query_strings)


def test_made_up_query_strings_on_the_home_page_store_no_copies(client, home_page):
    made_up = [f"utm_source=probe{n}" for n in range(20)]
    for query in made_up:
        assert client.get(f"/?{query}").status_code == 200

    assert _home_copies(home_page, made_up) == 0


def test_home_page_without_a_query_string_is_still_cached(client, home_page, rf):
    client.get("/")

    assert cache.get(_key(rf.get("/"))) is not None


@pytest.mark.parametrize("query", [
    "when=upcoming&when=upcoming",  # a parameter repeated
    "when=upcoming&utm_source=probe",  # an unknown parameter beside a known one
    "type=not-a-type",  # a value the page corrects
    "area=not-a-service-area",  # an area that does not exist
    "page=007",  # another spelling of page 7
    "view=month&month=9999-01",  # a month far outside what anyone browses
    "when=%75pcoming",  # another spelling of the same value
])
def test_events_index_addresses_the_page_would_not_link_to_are_not_stored(client, events_index, rf, query):
    assert client.get(f"{events_index.url}?{query}").status_code == 200

    assert cache.get(_key(rf.get(f"{events_index.url}?{query}"))) is None


def test_events_index_filtered_by_a_real_area_is_still_cached(client, events_index, rf, service_areas):
    address = f"{events_index.url}?type=&area=dermatology&when=upcoming"
    client.get(address)

    assert cache.get(_key(rf.get(address))) is not None


@pytest.mark.parametrize("query", ["area=made-up-area", "page=12345"])
def test_members_event_list_for_an_address_the_page_would_not_link_to_is_not_stored(client_for, member, events_index,
                                                                                    settings, query):
    settings.CACHE_STATUS_HEADER = True
    signed_in = client_for(member)
    signed_in.get(f"{events_index.url}?{query}")

    again = signed_in.get(f"{events_index.url}?{query}")

    assert again.status_code == 200 and "hit=0" in again["X-Cache-Status"]


def test_members_event_list_for_a_real_service_area_is_still_stored(client_for, member, events_index, service_areas, settings):
    settings.CACHE_STATUS_HEADER = True
    signed_in = client_for(member)
    area = service_areas["Dermatology"]
    signed_in.get(f"{events_index.url}?area={area.slug}")

    again = signed_in.get(f"{events_index.url}?area={area.slug}")

    assert "hit=1" in again["X-Cache-Status"]
