"""Control characters in query parameters (issue 21, finding 13).

A NUL byte in a filter reached PostgreSQL (a 500 on ``/events/?area=%00``) or the search backend (the
"search is down" 503).  Any control character in any query parameter now gets a plain 400 before a view
or the page cache reads it.
"""
from __future__ import annotations

import pytest


@pytest.fixture
def events_index(db):
    from events.models import EventIndexPage
    from portal.site.models import HomePage

    index = EventIndexPage(title="Events", slug="events", introduction="Meetings, training and webinars.")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    return index


def assert_plain_bad_request(response) -> None:
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"not allowed" in response.content


def test_nul_byte_in_an_events_filter_is_a_bad_request_not_a_server_error(client, events_index):
    assert_plain_bad_request(client.get("/events/?area=%00"))


def test_nul_byte_in_a_search_is_a_bad_request_not_search_is_down(client_for, member):
    assert_plain_bad_request(client_for(member).get("/search/?q=budget%00"))


@pytest.mark.parametrize("address", [
    "/?q=%01",
    "/directory/?q=%1b%5b31m",
    "/forum/?page=1%0d%0aSet-Cookie:%20x=y",
    "/events/?when=%7f",
    "/?%00=name",
])
def test_control_characters_in_any_query_parameter_are_a_bad_request(client_for, member, events_index, address):
    assert_plain_bad_request(client_for(member).get(address))


def test_nul_byte_for_an_anonymous_visitor_is_a_bad_request(client, events_index):
    assert_plain_bad_request(client.get("/?area=%00"))


def test_tab_in_a_search_is_still_searched(client_for, member):
    assert client_for(member).get("/search/?q=budget%09plans").status_code == 200
