"""Every link the events journey sends away from the portal (e-mails, calendar files, feeds) works.

Booked through the real views, the e-mails taken from the outbox and the
calendar files parsed; each link must start with PORTAL_BASE_URL and open on
the portal for the person it was sent to.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from icalendar import Calendar
from wagtail.models import Site

from portal.core.addresses import page_url

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s<>\"')]+")


def _links_in_calendar(data: bytes | str) -> list[str]:
    calendar = Calendar.from_ical(data)
    return [str(vevent["URL"]) for vevent in calendar.walk("VEVENT") if "URL" in vevent]


def _links_in_mail(message) -> list[str]:
    links = LINK.findall(message.body)
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            links += _links_in_calendar(content)
    return links


def _follow(client, link: str) -> int:
    assert link.startswith(settings.PORTAL_BASE_URL + "/"), f"{link} is not on {settings.PORTAL_BASE_URL}"
    parts = urlsplit(link)
    return client.get(parts.path + (f"?{parts.query}" if parts.query else "")).status_code


def test_booking_emails_and_calendar_files_link_to_the_portal_address(
    client_for, make_member, region, make_event, mailoutbox, django_capture_on_commit_callbacks,
):
    event = make_event(capacity=1, title="Business cases for re-design")
    first = make_member(first_name="Ann", organisations=[region["practice"]])
    second = make_member(first_name="Ben", organisations=[region["other_practice"]])
    first_client = client_for(first)
    with django_capture_on_commit_callbacks(execute=True):
        first_client.post(f"/events/{event.pk}/book/")
    from django.test import Client

    second_client = Client()
    second_client.force_login(second.user)
    with django_capture_on_commit_callbacks(execute=True):
        second_client.post(f"/events/{event.pk}/book/")
    booking = first.event_bookings.get()
    with django_capture_on_commit_callbacks(execute=True):
        first_client.post(f"/events/bookings/{booking.pk}/cancel/")

    subjects = [m.subject for m in mailoutbox]
    assert any("Your place is booked" in s for s in subjects)
    assert any("waiting list" in s for s in subjects)
    assert any("A place has come free" in s for s in subjects)
    clients = {first.user.email: first_client, second.user.email: second_client}
    followed = 0
    for message in mailoutbox:
        for link in _links_in_mail(message):
            assert _follow(clients[message.to[0]], link) in (200, 302), link
            followed += 1
    assert followed >= 5


def test_event_calendar_file_and_feeds_link_to_the_portal_address(client_for, member, make_event):
    event = make_event(audience="public")
    client = client_for(member)
    links = _links_in_calendar(client.get(f"/events/{event.pk}/event.ics").content)
    links += _links_in_calendar(client.get("/events/feed.ics").content)
    feed_address = client.get("/events/my-training/").context["feed_url"]
    links.append(feed_address)

    assert links and all(_follow(client, link) == 200 for link in links)


def test_migrate_gives_wagtails_site_the_portal_address(settings, make_event):
    settings.PORTAL_BASE_URL = "https://portal.example.nhs.uk"
    event = make_event(audience="public")

    call_command("migrate", verbosity=0)

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("portal.example.nhs.uk", 443)
    assert event.full_url == page_url(event) == f"https://portal.example.nhs.uk{event.url}"
