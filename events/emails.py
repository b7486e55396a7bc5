"""The e-mails bookings send. Each is called after the transaction commits, with primary keys, and reads fresh rows."""
from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from events.ics import calendar_for_event
from events.models import Booking


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


def _event_url(event) -> str:
    return event.full_url or (getattr(settings, "PORTAL_BASE_URL", "") + (event.url or ""))


def _load(pk: int) -> Booking | None:
    return Booking.objects.select_related("event", "member__user").filter(pk=pk).first()


def _send(booking: Booking, subject: str, text: str, with_calendar: bool) -> None:
    message = EmailMessage(
        subject=f"[{_network()}] {subject}",
        body=text,
        to=[booking.member.user.email],
    )
    if with_calendar:
        message.attach(f"event-{booking.event_id}.ics", calendar_for_event(booking.event), "text/calendar")
    message.send()


def send_booking_confirmation(booking_pk: int) -> None:
    booking = _load(booking_pk)
    if booking is None or not booking.is_active:
        return
    event = booking.event
    name = booking.member.user.first_name or "there"
    if booking.status == Booking.Status.WAITLISTED:
        subject = f"You are on the waiting list: {event.title}"
        text = (
            f"Hello {name},\n\n{event.title} is full, so you are number {booking.position} on the waiting list.\n"
            "If a place comes free it will be given to the next person on the list and we will e-mail you straight away.\n\n"
            f"When: {_when(event)}\nWhere: {_where(event)}\n\nEvent details: {_event_url(event)}\n"
        )
        _send(booking, subject, text, with_calendar=False)
        return
    subject = f"Your place is booked: {event.title}"
    text = (
        f"Hello {name},\n\nYour place at {event.title} is confirmed.\n\n"
        f"When: {_when(event)}\nWhere: {_where(event)}\n\n"
        "The attached calendar file adds it to your calendar.\n"
        f"If you can no longer come, please cancel from the event page so someone else can have your place: {_event_url(event)}\n"
    )
    _send(booking, subject, text, with_calendar=True)


def send_promotion(booking_pk: int) -> None:
    booking = _load(booking_pk)
    if booking is None or not booking.holds_place:
        return
    event = booking.event
    text = (
        f"Hello {booking.member.user.first_name or 'there'},\n\nA place has come free at {event.title} and it is now yours.\n\n"
        f"When: {_when(event)}\nWhere: {_where(event)}\n\n"
        "The attached calendar file adds it to your calendar.\n"
        f"If you cannot come, please cancel from the event page: {_event_url(event)}\n"
    )
    _send(booking, f"A place has come free: {event.title}", text, with_calendar=True)


def send_reminder(booking_pk: int) -> None:
    booking = _load(booking_pk)
    if booking is None or booking.status != Booking.Status.CONFIRMED:
        return
    event = booking.event
    text = (
        f"Hello {booking.member.user.first_name or 'there'},\n\nA reminder that you have a place at {event.title}.\n\n"
        f"When: {_when(event)}\nWhere: {_where(event)}\n\n"
        f"If you can no longer come, please cancel so someone on the waiting list can go: {_event_url(event)}\n"
    )
    _send(booking, f"Reminder: {event.title}", text, with_calendar=True)


def send_to_attendees(booking_pks: list[int], subject: str, body: str, sender_pk: int | None) -> None:
    for booking in Booking.objects.filter(pk__in=booking_pks).select_related("event", "member__user"):
        _send(booking, subject, body, with_calendar=False)
