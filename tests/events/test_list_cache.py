"""The event list is cached (whole page for anonymous visitors, the list part per viewer class for members) and
every change to what it shows is visible on the next request."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import EventPage
from portal.core import fragments
from portal.core.page_cache import forget_cached_pages

pytestmark = pytest.mark.django_db


def _quietly_retitle(event, title: str) -> None:
    """A change no signal reports, so only a cached list can still show the old title."""
    EventPage.objects.filter(pk=event.pk).update(title=title)


def test_anonymous_event_list_is_answered_from_the_cache_without_a_query(client, make_event, django_assert_num_queries):
    make_event(audience="public", title="Open seminar")
    client.get("/events/")

    with django_assert_num_queries(0):
        response = client.get("/events/")

    assert b"Open seminar" in response.content


def test_uncached_anonymous_event_list_reads_when_the_next_event_changes_once(client, make_event):
    make_event(audience="public", title="Open seminar")
    client.get("/events/")
    fragments.forget_all()
    forget_cached_pages()

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/events/")

    assert b"Open seminar" in response.content
    assert sum('MIN("events_eventpage"."booking_closes_at")' in query["sql"] for query in captured.captured_queries) == 1


def test_member_list_is_not_served_to_an_anonymous_visitor(client, client_for, member, make_event):
    make_event(audience="members", title="Members training")
    make_event(audience="public", title="Open seminar")
    assert b"Members training" in client_for(member).get("/events/").content
    client.logout()

    response = client.get("/events/")

    assert b"Open seminar" in response.content
    assert b"Members training" not in response.content


def test_anonymous_list_is_not_served_to_a_member(client, client_for, member, make_event):
    make_event(audience="members", title="Members training")
    assert b"Members training" not in client.get("/events/").content

    assert b"Members training" in client_for(member).get("/events/").content


def test_a_published_event_shows_on_the_next_request(client, client_for, member, make_event):
    make_event(audience="public", title="Open seminar")
    client.get("/events/")
    client_for(member).get("/events/")
    client.logout()

    make_event(audience="public", title="Second seminar")

    assert b"Second seminar" in client.get("/events/").content
    assert b"Second seminar" in client_for(member).get("/events/").content


@pytest.mark.parametrize("take_away", ["unpublish", "delete"])
def test_an_unpublished_or_deleted_event_leaves_the_list_on_the_next_request(client_for, member, make_event, take_away):
    event = make_event(audience="members", title="Members training")
    viewer = client_for(member)
    assert b"Members training" in viewer.get("/events/").content

    getattr(event, take_away)()

    assert b"Members training" not in viewer.get("/events/").content


def test_a_saved_event_change_shows_on_the_next_request(client_for, member, make_event):
    event = make_event(audience="members", title="Members training")
    viewer = client_for(member)
    viewer.get("/events/")

    event.title = "Members training (retitled)"
    event.save()

    assert b"Members training (retitled)" in viewer.get("/events/").content


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_booking_forgets_the_cached_list(client, client_for, member, other_org_member, make_event, signed_in):
    event = make_event(audience="public", title="Open seminar")
    viewer = client_for(other_org_member) if signed_in else client
    viewer.get("/events/")
    _quietly_retitle(event, "Open seminar (retitled)")

    services.book_place(event, member)

    assert b"Open seminar (retitled)" in viewer.get("/events/").content


def test_a_cancellation_forgets_the_cached_list(client, member, make_event):
    event = make_event(audience="public", title="Open seminar")
    booking = services.book_place(event, member)
    client.get("/events/")
    _quietly_retitle(event, "Open seminar (retitled)")

    services.cancel_booking(booking, by=member.user)

    assert b"Open seminar (retitled)" in client.get("/events/").content


def test_renaming_a_service_area_shows_on_the_next_request(client_for, member, make_event, service_areas):
    make_event(audience="members", title="Diabetes clinic", service_areas=[service_areas["Diabetes"]])
    client = client_for(member)
    client.get("/events/")
    area = service_areas["Diabetes"]

    area.name = "Diabetes and endocrinology"
    area.save()

    assert b"Diabetes and endocrinology" in client.get("/events/").content


def test_cached_list_expires_when_the_next_event_ends(make_event, events_index):
    from events.models import seconds_until_an_event_ends

    event = make_event(audience="public", starts_in=-timedelta(minutes=30), hours=1)  # under way, ends in 30 minutes
    now = timezone.now()

    assert seconds_until_an_event_ends(events_index, now) == int((event.ends_at - now).total_seconds()) + 1


def test_cached_list_expires_when_the_next_event_starts_and_its_waiting_list_closes(make_event, events_index):
    from events.models import seconds_until_an_event_ends

    event = make_event(audience="public", starts_in=timedelta(hours=2), hours=1)
    now = timezone.now()

    assert seconds_until_an_event_ends(events_index, now) == int((event.starts_at - now).total_seconds()) + 1


def test_event_list_still_answers_with_redis_down(client, client_for, member, make_event, settings):
    settings.CACHES = {"default": {"BACKEND": "portal.core.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    make_event(audience="public", title="Open seminar")

    assert b"Open seminar" in client.get("/events/").content
    assert b"Open seminar" in client_for(member).get("/events/").content


@pytest.mark.parametrize("signed_in", [False, True])
def test_event_list_queries_do_not_grow_with_events_cached_or_not(client, client_for, member, make_event, service_areas, signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.core import fragments
    from portal.core.page_cache import forget_cached_pages

    viewer = client_for(member) if signed_in else client

    def counts_for(n: int) -> tuple[int, int]:
        for _ in range(n):
            make_event(audience="public", service_areas=[service_areas["Diabetes"], service_areas["COPD"]], starts_in=timedelta(days=3))
        viewer.get("/events/")  # warm the site's root-path cache, as any running site has
        forget_cached_pages()
        fragments.forget("events.list")
        with CaptureQueriesContext(connection) as rendered:
            viewer.get("/events/")
        with CaptureQueriesContext(connection) as cached:
            viewer.get("/events/")
        return len(rendered), len(cached)

    small, large = counts_for(2), counts_for(21)  # 21: more than one page of 20

    assert small == large
