"""iCalendar files for one event and for feeds, made with the ``icalendar`` library.

Each session is one VEVENT.  Times are written with TZID=Europe/London and the
calendar carries the matching VTIMEZONE, so calendar programs show the local
time the network meant, across the clock changes.  UIDs are built from the
page and session primary keys and the portal's host name, so they stay the
same when the event is edited and a subscribed calendar updates in place.
"""
from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar, Event as VEvent

from events.models import EventPage, EventSession
from portal.core.addresses import page_url, site_host_and_port

LONDON = ZoneInfo("Europe/London")


def _host() -> str:
    return site_host_and_port()[0]


def session_uid(session: EventSession) -> str:
    return f"event-{session.page_id}-session-{session.pk}@{_host()}"


def _new_calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//PbC Network Portal//Events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    return cal


def _add_event(cal: Calendar, event: EventPage, sessions: Iterable[EventSession], stamp) -> None:
    sessions = list(sessions)
    for n, session in enumerate(sessions, start=1):
        vevent = VEvent()
        vevent.add("uid", session_uid(session))
        summary = event.title if len(sessions) == 1 else f"{event.title} ({session.title or f'session {n}'})"
        vevent.add("summary", summary)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", timezone.localtime(session.starts_at, LONDON))
        vevent.add("dtend", timezone.localtime(session.ends_at, LONDON))
        location = event.venue.replace("\n", ", ") if event.venue else ("Online" if event.online_url else "")
        if location:
            vevent.add("location", location)
        description = event.summary or strip_tags(event.description)[:500]
        if description:
            vevent.add("description", description)
        vevent.add("url", page_url(event))
        cal.add_component(vevent)


def calendar_for_events(events: Iterable[EventPage], name: str) -> bytes:
    """One calendar holding every session of ``events`` (sessions should be prefetched)."""
    cal = _new_calendar(name)
    stamp = timezone.now()
    for event in events:
        _add_event(cal, event, event.sessions.all(), stamp)
    cal.add_missing_timezones()
    return cal.to_ical()


def calendar_for_event(event: EventPage) -> bytes:
    return calendar_for_events([event], event.title)
