"""The e-mails bookings send, each one ``(subject, body, to, key, attachments)`` sent once per key.

A booking queues ``send_booking_email`` (below) after it commits; the
task reads the fresh booking, writes the e-mail here and sends it through
``portal.core.tasks.send_emails`` (``send_once``), so a retried or re-run task
never sends a booking e-mail twice.  Writing it in the task rather than in
the booking keeps the event lock short: the calendar file reads the event's
sessions, and every booking waits on that lock.
"""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from events.ics import calendar_for_event
from events.models import Booking
from portal.core.addresses import page_url
from portal.core.tasks import send_emails

Email = tuple[str, str, str, str, list[tuple[str, str, str]]]


def _network() -> str:
    return getattr(settings, "PORTAL_NETWORK_NAME", "PbC Network")


def _when(event) -> str:
    if not event.starts_at:
        return "date to be confirmed"
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    if start.date() == end.date():
        return f"{start:%A %-d %B %Y}, {start:%H:%M} to {end:%H:%M}"
    return f"{start:%A %-d %B %Y, %H:%M} to {end:%A %-d %B %Y, %H:%M}"


def _where(event) -> str:
    if event.venue:
        return event.venue.replace("\n", ", ")
    return "Online (the joining link is on the event page)" if event.online_url else "To be confirmed"


def _email(booking: Booking, subject: str, text: str, key: str, with_calendar: bool) -> Email:
    attachments = []
    if with_calendar:
        attachments.append((f"event-{booking.event_id}.ics", calendar_for_event(booking.event).decode(), "text/calendar"))
    return (f"[{_network()}] {subject}", text, booking.member.user.email, key, attachments)


def _load(pk: int) -> Booking | None:
    return Booking.objects.select_related("event", "member__user").filter(pk=pk).first()


def booking_email(kind: str, booking_pk: int) -> Email | None:
    """The ``kind`` e-mail (``confirmation``, ``promotion``) for a booking, or None when it no longer applies."""
    booking = _load(booking_pk)
    if kind == "confirmation" and booking is not None and booking.is_active:
        return booking_confirmation(booking)
    if kind == "promotion" and booking is not None and booking.holds_place:
        return promotion(booking)
    return None


def booking_confirmation(booking: Booking) -> Email:
    """A confirmed place (with the calendar file), or a place on the waiting list."""
    event = booking.event
    name = booking.member.user.first_name or "there"
    if booking.status == Booking.Status.WAITLISTED:
        subject = f"You are on the waiting list: {event.title}"
        text = (
            f"Hello {name},\n\n{event.title} is full, so you are number {booking.position} on the waiting list.\n"
            "If a place comes free it will be given to the next person on the list and we will e-mail you straight away.\n\n"
            f"When: {_when(event)}\nWhere: {_where(event)}\n\nEvent details: {page_url(event)}\n"
        )
        return _email(booking, subject, text, f"events.booking.waitlisted:{booking.pk}", with_calendar=False)
    subject = f"Your place is booked: {event.title}"
    text = (
        f"Hello {name},\n\nYour place at {event.title} is confirmed.\n\n"
        f"When: {_when(event)}\nWhere: {_where(event)}\n\n"
        "The attached calendar file adds it to your calendar.\n"
        f"If you can no longer come, please cancel from the event page so someone else can have your place: {page_url(event)}\n"
    )
    return _email(booking, subject, text, f"events.booking.confirmed:{booking.pk}", with_calendar=True)


def promotion(booking: Booking) -> Email:
    """A place came free and the waiting booking now holds it: one e-mail per promotion."""
    event = booking.event
    text = (
        f"Hello {booking.member.user.first_name or 'there'},\n\nA place has come free at {event.title} and it is now yours.\n\n"
        f"When: {_when(event)}\nWhere: {_where(event)}\n\n"
        "The attached calendar file adds it to your calendar.\n"
        f"If you cannot come, please cancel from the event page: {page_url(event)}\n"
    )
    key = f"events.booking.promoted:{booking.pk}:{booking.confirmed_at.timestamp()}"
    return _email(booking, f"A place has come free: {event.title}", text, key, with_calendar=True)


def reminder(booking: Booking) -> Email:
    event = booking.event
    text = (
        f"Hello {booking.member.user.first_name or 'there'},\n\nA reminder that you have a place at {event.title}.\n\n"
        f"When: {_when(event)}\nWhere: {_where(event)}\n\n"
        f"If you can no longer come, please cancel so someone on the waiting list can go: {page_url(event)}\n"
    )
    return _email(booking, f"Reminder: {event.title}", text, f"events.booking.reminder:{booking.pk}", with_calendar=True)


def to_attendees(bookings: list[Booking], subject: str, body: str, message_id: str) -> list[Email]:
    """One administrator's message to each booking; ``message_id`` is new for each message sent."""
    return [_email(b, subject, body, f"events.attendees:{message_id}:{b.pk}", with_calendar=False) for b in bookings]


@task()
def send_booking_email(kind: str, booking_pk: int) -> int:
    """Send a booking's ``confirmation`` or ``promotion`` e-mail, once per key however often this runs."""
    email = booking_email(kind, booking_pk)
    return send_emails.call([list(email)]) if email else 0
