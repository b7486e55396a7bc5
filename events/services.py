"""Every change to bookings and capacity happens here, one transaction each.

The rule that keeps an event from being oversold: lock the event row late,
inside the transaction, and only then count places.  On PostgreSQL that is a
``SELECT … FOR UPDATE`` on the event's own row with a lock timeout (a waiter
that cannot get the lock in time gets a plain "try again" refusal rather than
hanging); SQLite runs write transactions one at a time (``IMMEDIATE`` mode),
which gives the same guarantee.  The partial unique constraints on ``Booking``
stand behind the lock.  E-mail is sent, and search updated, only after commit.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import date_format

from directory.models import Member, Organisation
from events import emails
from events.models import Booking, BookingAction, CalendarFeed, EventPage, _feed_token
from portal.core import audit
from portal.core.delivery import email_after_commit, send_once
from portal.core.outbox import enqueue_on_commit

# How long a booking waits for another booking on the same event (milliseconds).
LOCK_TIMEOUT_MS = getattr(settings, "EVENTS_LOCK_TIMEOUT_MS", 10_000)


class EventsError(Exception):
    """Base of every events error; ``user_message`` is safe to show as it is."""

    user_message = "Something went wrong with that booking. Please try again."

    def __init__(self, user_message: str | None = None):
        if user_message:
            self.user_message = user_message
        super().__init__(self.user_message)


class BookingRefused(EventsError):
    """The booking (or change) was refused and nothing was changed."""


class AlreadyBooked(BookingRefused):
    user_message = "You already have a booking for this event."


class EventInPast(BookingRefused):
    user_message = "This event has already started, so bookings can no longer be made or changed."


class BookingNotOpen(BookingRefused):
    user_message = "Booking for this event has not opened yet."


class BookingClosed(BookingRefused):
    user_message = "Booking for this event has closed."


class NotBookable(BookingRefused):
    user_message = "This event does not take bookings through the portal."


class OrganisationLimitReached(BookingRefused):
    user_message = "Your organisation already has as many places as this event allows."


class MembersOnly(BookingRefused):
    user_message = "This event is for approved network members only."


class AlreadyCancelled(BookingRefused):
    user_message = "This booking has already been cancelled."


class NotAttendable(BookingRefused):
    user_message = "Attendance can only be recorded for confirmed places once the event has started."


class InvalidCapacity(BookingRefused):
    user_message = "Capacity must be a whole number of places, zero or more."


class EventBusy(EventsError):
    user_message = "Many people are booking this event at the moment. Please try again in a few seconds."


# --- helpers ----------------------------------------------------------------------


def organisation_for_limit(member: Member) -> Organisation | None:
    """The organisation a member's booking counts against: their practice, else their first organisation."""
    organisations = sorted(member.organisations.all(), key=lambda o: (o.kind != "practice", o.name))
    return organisations[0] if organisations else None


def _lock_event(event_pk: int) -> EventPage:
    """Lock the event's own row for the rest of the transaction and return it fresh."""
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(LOCK_TIMEOUT_MS)}ms"])
        return EventPage.objects.select_for_update(of=("self",)).get(pk=event_pk)
    except OperationalError as error:
        raise EventBusy() from error


def _log(booking: Booking, action: str, actor) -> None:
    """The booking's own history; a change someone made to another member's booking also goes on the audit trail."""
    actor = actor if getattr(actor, "pk", None) else None
    BookingAction.objects.create(booking=booking, action=action, actor=actor)
    if actor is not None and actor.pk != booking.member.user_id:
        audit.record(actor, action, booking.event, subject=booking.member.user, booking=booking.pk)


def _taken_places(event: EventPage) -> set[int]:
    return set(Booking.objects.filter(event=event).holding_place().values_list("place", flat=True))


def _free_place(event: EventPage) -> int | None:
    """The lowest free place number within capacity, or None when the event is full."""
    taken = _taken_places(event)
    if event.capacity is None:
        return max(taken, default=0) + 1
    if len(taken) >= event.capacity:
        return None
    return next(n for n in range(1, event.capacity + 1) if n not in taken)


def _tally(event: EventPage, member: Member, organisation: Organisation | None) -> dict:
    """Everything a booking decision reads about the event's bookings, in one query under the lock.

    The lock serialises bookings on one event, so every statement run while it
    is held is paid by every waiter: one aggregate replaces the separate
    "already booked?", organisation count, places taken and waiting-list queries.
    """
    holding = Q(status__in=Booking.PLACE_STATUSES)
    return Booking.objects.filter(event=event).active().aggregate(
        mine=Count("pk", filter=Q(member=member)),
        organisation=Count("pk", filter=Q(organisation=organisation)),  # unused when None
        places=Count("pk", filter=holding),
        highest_place=Max("place", filter=holding),
        last_position=Max("position", filter=Q(status=Booking.Status.WAITLISTED)),
    )


def _first_free_place(event: EventPage, tally: dict) -> int | None:
    """The lowest free place from a tally; only a gap left by a cancellation needs another query."""
    taken, highest = tally["places"], tally["highest_place"] or 0
    if event.capacity is not None and taken >= event.capacity:
        return None
    if taken == highest:  # places 1..highest all held: the next one is free
        return highest + 1
    return _free_place(event)


def _email_after_commit(kind: str, booking_pk: int) -> None:
    """Queue a booking's e-mail once the transaction commits; the task writes it from the fresh row (events/emails.py)."""
    enqueue_on_commit(emails.send_booking_email, kind, booking_pk)


def _promote(event: EventPage, actor=None) -> list[Booking]:
    """Give free places to the waiting list, first come first served. The event must already be locked."""
    if event.has_started():
        return []
    promoted = []
    for booking in Booking.objects.filter(event=event).waitlisted().select_related("member__user"):
        place = _free_place(event)
        if place is None:
            break
        booking.status = Booking.Status.CONFIRMED
        booking.place = place
        booking.position = None
        booking.confirmed_at = timezone.now()
        booking.save(update_fields=["status", "place", "position", "confirmed_at"])
        _log(booking, "events.booking.promoted", actor)
        promoted.append(booking)
    for booking in promoted:
        _email_after_commit("promotion", booking.pk)
    return promoted


def _book(event_pk: int, member: Member, *, actor, on_behalf: bool) -> Booking:
    # The member's organisation is not the event's to guard: read it before taking the lock.
    organisation = organisation_for_limit(member)
    event = _lock_event(event_pk)
    now = timezone.now()
    if not event.takes_bookings:
        raise NotBookable()
    if event.is_members_only and not member.is_approved:
        raise MembersOnly()
    if member.status in (Member.Status.ERASED, Member.Status.DECLINED):
        raise MembersOnly()
    if event.has_started(now):
        raise EventInPast()
    if not on_behalf:
        # Administrators may book someone in outside the window; members may not.
        if event.booking_opens_at and now < event.booking_opens_at:
            opens = timezone.localtime(event.booking_opens_at)
            raise BookingNotOpen(
                f"Booking for this event opens on {date_format(opens, 'DATE_FORMAT')} at {date_format(opens, 'TIME_FORMAT')}."
            )
        closes = event.booking_closes()
        if closes and now >= closes:
            raise BookingClosed()
    tally = _tally(event, member, organisation)
    if tally["mine"]:
        raise AlreadyBooked("That member already has a booking for this event." if on_behalf else None)
    if event.organisation_limit is not None and organisation is not None:
        if tally["organisation"] >= event.organisation_limit:
            places = "place" if event.organisation_limit == 1 else "places"
            raise OrganisationLimitReached(
                f"{organisation.name} already has {event.organisation_limit} {places} for this event, "
                f"which is the most one organisation may hold."
            )
    place = _first_free_place(event, tally)
    now = timezone.now()  # after the lock: arrival order is the order the lock was granted
    booking = Booking.objects.create(
        event=event,
        member=member,
        organisation=organisation,
        status=Booking.Status.CONFIRMED if place else Booking.Status.WAITLISTED,
        place=place,
        position=None if place else (tally["last_position"] or 0) + 1,
        booked_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
        confirmed_at=now if place else None,
    )
    _log(booking, "events.booking.booked_on_behalf" if on_behalf else "events.booking.created", actor)
    _email_after_commit("confirmation", booking.pk)
    return booking


# --- the operations ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def book_place(event: EventPage, member: Member) -> Booking:
    """Book ``member`` a place at ``event``, or put them on the waiting list when it is full.

    Refuses (raising a ``BookingRefused``, changing nothing) a second booking,
    an event that has started, a closed or not-yet-open booking window, an
    organisation over its limit, and a members-only event for a non-member.
    """
    return _book(event.pk, member, actor=member.user, on_behalf=False)


@transaction.atomic(durable=True)
def book_on_behalf(event: EventPage, member: Member, *, by) -> Booking:
    """An administrator books ``member`` in; the booking window does not apply, every other rule does."""
    return _book(event.pk, member, actor=by, on_behalf=True)


@transaction.atomic(durable=True)
def cancel_booking(booking: Booking, *, by=None) -> Booking:
    """Cancel a booking; a freed place goes to the first person on the waiting list, who is e-mailed."""
    event = _lock_event(booking.event_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == Booking.Status.CANCELLED:
        raise AlreadyCancelled()
    if event.has_started():
        raise EventInPast()
    freed_place = booking.holds_place
    booking.status = Booking.Status.CANCELLED
    booking.place = None
    booking.position = None
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "place", "position", "cancelled_at"])
    _log(booking, "events.booking.cancelled", by)
    if freed_place:
        _promote(event, actor=None)
    return booking


@transaction.atomic(durable=True)
def promote_from_waiting_list(event: EventPage, *, by=None) -> list[Booking]:
    """Fill any free places from the waiting list in order; returns the bookings promoted."""
    return _promote(_lock_event(event.pk), actor=by)


@transaction.atomic
def fill_places_after_edit(event: EventPage) -> list[Booking]:
    """After an editor publishes the event page (perhaps with more places), give any free places to the waiting list.

    Not durable: Wagtail may publish inside its own transaction; the lock is the same.
    """
    return _promote(_lock_event(event.pk))


@transaction.atomic(durable=True)
def change_capacity(event: EventPage, capacity: int | None, *, by=None) -> list[Booking]:
    """Set the number of places.  Raising it promotes from the waiting list; lowering it never cancels a confirmed place.

    The capacity is written straight to the event row (not through a page
    revision) so it takes effect at once under the same lock bookings use.
    """
    if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
        raise InvalidCapacity()
    locked = _lock_event(event.pk)
    audit.record(by, "events.event.capacity_changed", locked, before=locked.capacity, after=capacity)
    EventPage.objects.filter(pk=locked.pk).update(capacity=capacity)
    locked.capacity = capacity
    event.capacity = capacity
    return _promote(locked, actor=by)


@transaction.atomic(durable=True)
def mark_attendance(booking: Booking, attended: bool = True, *, by=None) -> Booking:
    """Record that a confirmed member came (or undo it). Only once the event has started."""
    event = _lock_event(booking.event_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in Booking.PLACE_STATUSES or not event.has_started():
        raise NotAttendable()
    if attended:
        booking.status, booking.attended_at = Booking.Status.ATTENDED, booking.attended_at or timezone.now()
    else:
        booking.status, booking.attended_at = Booking.Status.CONFIRMED, None
    booking.save(update_fields=["status", "attended_at"])
    _log(booking, "events.booking.attended" if attended else "events.booking.attendance_removed", by)
    return booking


def send_event_reminders(days_before: int = 2, *, now: datetime | None = None) -> int:
    """E-mail everyone with a confirmed place at events starting within ``days_before`` days; each person once.

    Each booking is claimed with a conditional update and its e-mail sent in
    the same transaction, once under its key (``send_once``): two runs at the
    same time never send the same reminder twice, and when the mail server
    refuses one the claim rolls back, the error stops the run, and the retried
    task sends it.
    """
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__live=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + timedelta(days=days_before),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if claimed:
                booking = Booking.objects.select_related("event", "member__user").get(pk=pk)
                subject, body, to, key, attachments = emails.reminder(booking)
                message = EmailMessage(subject, body, to=[to])
                for attachment in attachments:
                    message.attach(*attachment)
                sent += send_once(key, message)
    return sent


@transaction.atomic
def email_attendees(event: EventPage, subject: str, body: str, *, by, include_waiting_list: bool = False) -> int:
    """Send one message to everyone holding a place (and the waiting list if asked), after commit. Returns how many."""
    statuses = list(Booking.PLACE_STATUSES) + ([Booking.Status.WAITLISTED] if include_waiting_list else [])
    bookings = list(Booking.objects.filter(event=event, status__in=statuses).select_related("event", "member__user"))
    email_after_commit(emails.to_attendees(bookings, subject, body, uuid.uuid4().hex))
    return len(bookings)


@transaction.atomic
def get_or_create_feed(member: Member):
    """The member's secret "my bookings" feed, created on first use."""
    feed, _ = CalendarFeed.objects.get_or_create(member=member)
    return feed


@transaction.atomic
def reset_feed_token(member: Member):
    """Give the member a new secret feed address; the old one stops working at once."""
    feed, _ = CalendarFeed.objects.get_or_create(member=member)
    feed.token = _feed_token()
    feed.save(update_fields=["token"])
    return feed
