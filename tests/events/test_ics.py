"""iCalendar output, parsed back with the icalendar library."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from events import services

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_event_ics_has_london_time_zone_and_local_times(client, make_event):
    event = make_event(audience="public", title="Influencing skills")
    cal = _parse(client.get(f"/events/{event.pk}/event.ics"))
    timezones = list(cal.walk("VTIMEZONE"))
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/London"]
    vevent = cal.walk("VEVENT")[0]
    start = vevent.decoded("DTSTART")
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert start == event.sessions.first().starts_at
    assert str(start.tzinfo) == "Europe/London"
    assert str(vevent["SUMMARY"]) == "Influencing skills"
    assert "Hatfield Peverel" in str(vevent["LOCATION"])


def test_summer_session_is_written_in_british_summer_time(client, make_event):
    event = make_event(audience="public")
    session = event.sessions.first()
    session.starts_at = datetime(2027, 7, 1, 12, 30, tzinfo=LONDON)
    session.ends_at = datetime(2027, 7, 1, 16, 30, tzinfo=LONDON)
    session.save()
    text = client.get(f"/events/{event.pk}/event.ics").content.decode()
    assert "DTSTART;TZID=Europe/London:20270701T123000" in text
    assert "TZOFFSETTO:+0100" in text


def test_uid_is_stable_across_edits_and_unique_per_session(client, make_event):
    event = make_event(audience="public", sessions=2)
    first = [str(v["UID"]) for v in _parse(client.get(f"/events/{event.pk}/event.ics")).walk("VEVENT")]
    event.title = "Renamed course"
    event.save_revision().publish()
    second = [str(v["UID"]) for v in _parse(client.get(f"/events/{event.pk}/event.ics")).walk("VEVENT")]
    assert first == second
    assert len(set(first)) == 2
    assert all(uid.startswith(f"event-{event.pk}-session-") and uid.endswith("@testserver") for uid in first)


def test_members_only_event_ics_sends_anonymous_visitors_to_sign_in_without_the_calendar(client, make_event):
    # Issue 20.4: a member following the link while signed out is asked to sign in (as for a missing event).
    event = make_event(audience="members")

    response = client.get(f"/events/{event.pk}/event.ics")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert b"BEGIN:VCALENDAR" not in response.content


def test_public_feed_lists_public_events_only(client, make_event):
    public = make_event(audience="public", title="Open webinar")
    make_event(audience="members", title="Members meeting")
    cal = _parse(client.get("/events/feed.ics"))
    summaries = [str(v["SUMMARY"]) for v in cal.walk("VEVENT")]
    assert summaries == ["Open webinar"]
    assert str(cal.walk("VEVENT")[0]["UID"]).startswith(f"event-{public.pk}-")
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_my_bookings_feed_behind_secret_token_lists_confirmed_places(client, make_event, member):
    booked = make_event(title="Booked course")
    make_event(title="Not booked")
    services.book_place(booked, member)
    feed = services.get_or_create_feed(member)
    cal = _parse(client.get(f"/events/feeds/{feed.token}/my-bookings.ics"))
    assert [str(v["SUMMARY"]) for v in cal.walk("VEVENT")] == ["Booked course"]


def test_my_bookings_feed_with_wrong_or_reset_token_is_not_found(client, member):
    old = services.get_or_create_feed(member).token
    assert client.get("/events/feeds/not-a-token/my-bookings.ics").status_code == 404
    services.reset_feed_token(member)
    assert client.get(f"/events/feeds/{old}/my-bookings.ics").status_code == 404
