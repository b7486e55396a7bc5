"""Booking changes an administrator makes go on the audit trail; members' own bookings do not."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from events import services
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_booking_on_behalf_is_recorded_with_the_administrator_event_and_member(make_event, member, network_admin):
    event = make_event()

    booking = services.book_on_behalf(event, member, by=network_admin.user)

    audit_event = AuditEvent.objects.get(action="events.booking.booked_on_behalf")
    assert (audit_event.actor, audit_event.subject) == (network_admin.user, member.user)
    assert (audit_event.target_type, audit_event.target_id, audit_event.target_label) == ("events.eventpage", str(event.pk), event.title)
    assert audit_event.detail == {"booking": booking.pk}


def test_an_administrator_cancelling_someones_booking_is_recorded(make_event, member, network_admin):
    booking = services.book_place(make_event(), member)

    services.cancel_booking(booking, by=network_admin.user)

    audit_event = AuditEvent.objects.get(action="events.booking.cancelled")
    assert (audit_event.actor, audit_event.subject) == (network_admin.user, member.user)


def test_a_member_booking_and_cancelling_their_own_place_is_not_on_the_trail(make_event, member):
    booking = services.book_place(make_event(), member)

    services.cancel_booking(booking, by=member.user)

    assert not AuditEvent.objects.filter(action__startswith="events.booking").exists()


def test_a_capacity_change_is_recorded_with_before_and_after(make_event, network_admin):
    event = make_event(capacity=10)

    services.change_capacity(event, 25, by=network_admin.user)

    audit_event = AuditEvent.objects.get(action="events.event.capacity_changed")
    assert audit_event.actor == network_admin.user
    assert audit_event.target_id == str(event.pk)
    assert audit_event.detail == {"before": 10, "after": 25}


def test_marking_attendance_is_recorded(make_event, member, network_admin):
    booking = services.book_place(make_event(starts_in=timedelta(days=1)), member)

    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1)):
        services.mark_attendance(booking, True, by=network_admin.user)

    audit_event = AuditEvent.objects.get(action="events.booking.attended")
    assert (audit_event.actor, audit_event.subject) == (network_admin.user, member.user)


def test_publishing_an_event_page_is_recorded_as_a_publication(make_event):
    event = make_event(title="Procurement masterclass")

    audit_event = AuditEvent.objects.get(action="events.eventpage.published", target_id=str(event.pk))
    assert audit_event.target_label == "Procurement masterclass"
    assert audit_event.description == "Event page published"
