"""Booking rules: places, refusals, waiting list, promotion, capacity, attendance and reminders."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import services
from events.models import Booking, BookingAction, EventPage
from events.services import (
    AlreadyBooked,
    AlreadyCancelled,
    BookingClosed,
    BookingNotOpen,
    EventInPast,
    MembersOnly,
    NotAttendable,
    NotBookable,
    OrganisationLimitReached,
)

pytestmark = pytest.mark.django_db


def queries_per_booking() -> int:
    """The member's organisations; then, holding the lock: the lock timeout (PostgreSQL), the event row,
    one tally, the booking and its action row; plus the savepoint and its release inside a test."""
    from django.db import connection

    return 8 if connection.vendor == "postgresql" else 7


@pytest.fixture
def practice_members(make_member, region):
    """One member in each of n different practices (so the per-organisation limit never bites)."""
    from directory.models import Organisation

    def factory(n):
        members = []
        for i in range(n):
            practice, _ = Organisation.objects.get_or_create(name=f"Test Practice {i}", kind="practice")
            members.append(make_member(organisations=[practice]))
        return members

    return factory


def test_booking_with_free_places_is_confirmed_with_a_place_number(make_event, member, run_on_commit):
    event = make_event(capacity=10)
    booking = run_on_commit(services.book_place, event, member)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.place == 1
    assert booking.organisation.name == "Castle Gate Surgery"
    assert BookingAction.objects.filter(booking=booking, action="events.booking.created").exists()


def test_confirmation_email_has_the_ics_attached(make_event, member, run_on_commit, mailoutbox):
    event = make_event(capacity=10, title="Negotiating skills")
    run_on_commit(services.book_place, event, member)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [member.user.email]
    assert "Negotiating skills" in message.subject
    filename, content, mimetype = message.attachments[0]
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content and "TZID=Europe/London" in content


def test_booking_full_event_joins_waiting_list_in_order(make_event, practice_members, run_on_commit, mailoutbox):
    event = make_event(capacity=2)
    people = practice_members(5)
    bookings = [run_on_commit(services.book_place, event, p) for p in people]
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [b.position for b in bookings[2:]] == [1, 2, 3]
    assert "waiting list" in mailoutbox[2].subject
    assert not mailoutbox[2].attachments


def test_booking_after_a_cancellation_takes_the_lowest_free_place(make_event, practice_members):
    event = make_event(capacity=3)
    a, b, c, d = practice_members(4)
    first = services.book_place(event, a)
    services.book_place(event, b)
    services.book_place(event, c)
    services.cancel_booking(first, by=a.user)
    assert services.book_place(event, d).place == 1


@pytest.mark.parametrize("already_booked", [1, 6])
def test_booking_runs_a_fixed_number_of_queries_however_many_are_booked(
    make_event, practice_members, django_assert_num_queries, already_booked
):
    # The event lock serialises bookings, so every statement run under it is paid by every waiter.
    event = make_event(capacity=3)
    *earlier, person = practice_members(already_booked + 1)
    for other in earlier:
        services.book_place(event, other)
    with django_assert_num_queries(queries_per_booking()):
        services.book_place(event, person)


def test_double_booking_is_refused_and_changes_nothing(make_event, member):
    event = make_event()
    services.book_place(event, member)
    with pytest.raises(AlreadyBooked) as refusal:
        services.book_place(event, member)
    assert "already have a booking" in refusal.value.user_message
    assert Booking.objects.filter(event=event).count() == 1


def test_database_refuses_a_second_active_booking_for_the_same_member(make_event, member):
    event = make_event()
    Booking.objects.create(event=event, member=member, status="confirmed", place=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, member=member, status="waitlisted", position=1)


def test_database_refuses_two_confirmed_bookings_on_the_same_place(make_event, member, other_org_member):
    event = make_event()
    Booking.objects.create(event=event, member=member, status="confirmed", place=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, member=other_org_member, status="confirmed", place=1)


def test_database_refuses_a_confirmed_booking_without_a_place(make_event, member):
    event = make_event()
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, member=member, status="confirmed", place=None)


def test_booking_after_cancelling_is_allowed(make_event, member):
    event = make_event()
    first = services.book_place(event, member)
    services.cancel_booking(first, by=member.user)
    again = services.book_place(event, member)
    assert again.status == "confirmed"
    assert Booking.objects.filter(event=event, member=member).count() == 2


def test_booking_past_event_is_refused(make_event, member):
    event = make_event(starts_in=timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        with pytest.raises(EventInPast) as refusal:
            services.book_place(event, member)
    assert refusal.value.user_message
    assert not Booking.objects.exists()


def test_booking_before_window_opens_is_refused(make_event, member):
    event = make_event(booking_opens_at=timezone.now() + timedelta(days=3))
    with pytest.raises(BookingNotOpen) as refusal:
        services.book_place(event, member)
    assert "opens on" in refusal.value.user_message
    assert not Booking.objects.exists()


def test_booking_refused_before_the_window_says_when_it_opens_as_a_uk_date_in_london_time(make_event, member):
    event = make_event(starts_in=timedelta(days=60))
    EventPage.objects.filter(pk=event.pk).update(booking_opens_at=datetime(2099, 7, 1, 8, 30, tzinfo=UTC))
    event.refresh_from_db()

    with pytest.raises(BookingNotOpen) as refusal:
        services.book_place(event, member)

    assert refusal.value.user_message == "Booking for this event opens on 1 July 2099 at 09:30."


def test_booking_after_deadline_is_refused(make_event, member):
    event = make_event(booking_closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(BookingClosed):
        services.book_place(event, member)
    assert not Booking.objects.exists()


def test_event_that_takes_no_bookings_refuses(make_event, member):
    event = make_event(takes_bookings=False, event_type="external_event")
    with pytest.raises(NotBookable):
        services.book_place(event, member)


def test_members_only_event_refuses_unapproved_member(make_event, make_member, region):
    pending = make_member(status="pending", organisations=[region["practice"]])
    event = make_event(audience="members")
    with pytest.raises(MembersOnly) as refusal:
        services.book_place(event, pending)
    assert "members only" in refusal.value.user_message
    assert not Booking.objects.exists()


def test_public_event_accepts_unapproved_member(make_event, make_member, region):
    pending = make_member(status="pending", organisations=[region["practice"]])
    event = make_event(audience="public")
    assert services.book_place(event, pending).status == "confirmed"


def test_one_place_per_practice_refuses_second_person_from_same_practice(make_event, make_member, region):
    event = make_event(capacity=10, organisation_limit=1)
    first = make_member(organisations=[region["practice"]])
    second = make_member(organisations=[region["practice"]])
    services.book_place(event, first)
    with pytest.raises(OrganisationLimitReached) as refusal:
        services.book_place(event, second)
    assert "Castle Gate Surgery already has 1 place" in refusal.value.user_message
    assert Booking.objects.filter(event=event).count() == 1


def test_organisation_limit_counts_practice_not_cluster(make_event, make_member, region):
    event = make_event(capacity=10, organisation_limit=1)
    in_cluster_and_practice = make_member(organisations=[region["cluster"], region["practice"]])
    other_practice_same_cluster = make_member(organisations=[region["cluster"], region["other_practice"]])
    services.book_place(event, in_cluster_and_practice)
    assert services.book_place(event, other_practice_same_cluster).status == "confirmed"


def test_organisation_place_frees_after_cancel(make_event, make_member, region):
    event = make_event(capacity=10, organisation_limit=1)
    first = make_member(organisations=[region["practice"]])
    second = make_member(organisations=[region["practice"]])
    services.cancel_booking(services.book_place(event, first))
    assert services.book_place(event, second).status == "confirmed"


def test_cancelling_confirmed_place_promotes_first_on_waiting_list(make_event, practice_members, run_on_commit, mailoutbox):
    event = make_event(capacity=1)
    a, b, c = practice_members(3)
    booking_a = services.book_place(event, a)
    services.book_place(event, b)
    services.book_place(event, c)
    run_on_commit(services.cancel_booking, booking_a, by=a.user)
    promoted = Booking.objects.get(event=event, member=b)
    assert promoted.status == "confirmed" and promoted.place == 1 and promoted.position is None
    assert Booking.objects.get(event=event, member=c).status == "waitlisted"
    assert [m.to for m in mailoutbox] == [[b.user.email]]
    assert "place has come free" in mailoutbox[0].subject
    assert mailoutbox[0].attachments


def test_promoted_member_gets_exactly_one_email_when_the_task_runs_again(make_event, practice_members, run_on_commit, mailoutbox):
    from events.emails import send_booking_email
    from portal.core.models import SentEmail

    event = make_event(capacity=1)
    a, b = practice_members(2)
    booking_a = services.book_place(event, a)
    booking_b = services.book_place(event, b)
    run_on_commit(services.cancel_booking, booking_a, by=a.user)
    mailoutbox.clear()

    rerun = send_booking_email.enqueue("promotion", booking_b.pk)  # a retry, or a worker that died after sending

    assert rerun.return_value == 0
    assert mailoutbox == []
    assert SentEmail.objects.filter(key__startswith=f"events.booking.promoted:{booking_b.pk}:").count() == 1


def test_booking_confirmation_sent_again_by_a_retried_task_goes_once(make_event, member, run_on_commit, mailoutbox):
    from events.emails import send_booking_email

    booking = run_on_commit(services.book_place, make_event(capacity=5), member)

    assert send_booking_email.enqueue("confirmation", booking.pk).return_value == 0
    assert len(mailoutbox) == 1


def test_cancelling_waitlisted_booking_promotes_nobody(make_event, practice_members):
    event = make_event(capacity=1)
    a, b, c = practice_members(3)
    services.book_place(event, a)
    booking_b = services.book_place(event, b)
    services.book_place(event, c)
    services.cancel_booking(booking_b)
    assert Booking.objects.get(event=event, member=c).status == "waitlisted"
    assert Booking.objects.filter(event=event).holding_place().count() == 1


def test_cancelling_twice_is_refused(make_event, member):
    booking = services.book_place(make_event(), member)
    services.cancel_booking(booking)
    with pytest.raises(AlreadyCancelled):
        services.cancel_booking(booking)


def test_cancelling_after_event_started_is_refused(make_event, member):
    event = make_event(starts_in=timedelta(days=1))
    booking = services.book_place(event, member)
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1)):
        with pytest.raises(EventInPast):
            services.cancel_booking(booking)
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_raising_capacity_promotes_from_waiting_list_in_order(make_event, practice_members, run_on_commit, mailoutbox):
    event = make_event(capacity=1)
    a, b, c, d = practice_members(4)
    for person in (a, b, c, d):
        services.book_place(event, person)
    promoted = run_on_commit(services.change_capacity, event, 3)
    assert [p.member for p in promoted] == [b, c]
    assert Booking.objects.get(event=event, member=d).status == "waitlisted"
    assert sorted(Booking.objects.filter(event=event).holding_place().values_list("place", flat=True)) == [1, 2, 3]
    assert len(mailoutbox) == 2


def test_lowering_capacity_never_cancels_confirmed_places(make_event, practice_members):
    event = make_event(capacity=3)
    people = practice_members(4)
    for person in people:
        services.book_place(event, person)
    services.change_capacity(event, 1)
    event.refresh_from_db()
    assert event.capacity == 1
    assert Booking.objects.filter(event=event, status="confirmed").count() == 3
    assert Booking.objects.get(event=event, member=people[3]).status == "waitlisted"


def test_after_lowering_capacity_a_cancellation_does_not_promote_until_below_capacity(make_event, practice_members):
    event = make_event(capacity=3)
    a, b, c, d = practice_members(4)
    first = services.book_place(event, a)
    services.book_place(event, b)
    services.book_place(event, c)
    services.book_place(event, d)
    services.change_capacity(event, 2)
    services.cancel_booking(first)
    assert Booking.objects.get(event=event, member=d).status == "waitlisted"


def test_unlimited_capacity_confirms_everyone(make_event, practice_members):
    event = make_event(capacity=None)
    assert {services.book_place(event, p).status for p in practice_members(4)} == {"confirmed"}


def test_book_on_behalf_ignores_booking_window_and_records_who(make_event, member, network_admin):
    event = make_event(booking_closes_at=timezone.now() - timedelta(hours=1))
    booking = services.book_on_behalf(event, member, by=network_admin.user)
    assert booking.status == "confirmed" and booking.booked_by == network_admin.user
    assert BookingAction.objects.filter(booking=booking, action="events.booking.booked_on_behalf", actor=network_admin.user).exists()


def test_book_on_behalf_still_refuses_double_booking(make_event, member, network_admin):
    event = make_event()
    services.book_place(event, member)
    with pytest.raises(AlreadyBooked):
        services.book_on_behalf(event, member, by=network_admin.user)


def test_mark_attendance_after_event_started(make_event, member, network_admin):
    event = make_event(starts_in=timedelta(days=1))
    booking = services.book_place(event, member)
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1)):
        booking = services.mark_attendance(booking, True, by=network_admin.user)
        assert booking.status == "attended" and booking.attended_at is not None
        booking = services.mark_attendance(booking, False, by=network_admin.user)
    assert booking.status == "confirmed" and booking.attended_at is None


def test_mark_attendance_before_event_is_refused(make_event, member):
    booking = services.book_place(make_event(), member)
    with pytest.raises(NotAttendable):
        services.mark_attendance(booking, True)


def test_mark_attendance_for_waitlisted_booking_is_refused(make_event, practice_members):
    event = make_event(capacity=1, starts_in=timedelta(days=1))
    a, b = practice_members(2)
    services.book_place(event, a)
    waiting = services.book_place(event, b)
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1)):
        with pytest.raises(NotAttendable):
            services.mark_attendance(waiting, True)


def test_reminders_go_once_to_confirmed_places_within_n_days(make_event, practice_members, run_on_commit, mailoutbox):
    soon = make_event(capacity=1, starts_in=timedelta(days=2))
    later = make_event(capacity=5, starts_in=timedelta(days=20))
    a, b, c = practice_members(3)
    services.book_place(soon, a)
    services.book_place(soon, b)  # waiting list: no reminder
    services.book_place(later, c)
    assert run_on_commit(services.send_event_reminders, 3) == 1
    assert [m.to for m in mailoutbox] == [[a.user.email]]
    assert "Reminder" in mailoutbox[0].subject
    assert run_on_commit(services.send_event_reminders, 3) == 0
    assert len(mailoutbox) == 1


def test_reminder_refused_by_the_mail_server_is_sent_by_the_next_run(make_event, practice_members, run_on_commit, mailoutbox, settings):
    import smtplib

    event = make_event(capacity=5, starts_in=timedelta(days=2))
    (member,) = practice_members(1)
    services.book_place(event, member)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with pytest.raises((OSError, smtplib.SMTPException)):
        run_on_commit(services.send_event_reminders, 3)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_on_commit(services.send_event_reminders, 3) == 1
    assert [m.to for m in mailoutbox] == [[member.user.email]]


def test_email_attendees_reaches_everyone_with_a_place(make_event, practice_members, network_admin, run_on_commit, mailoutbox):
    event = make_event(capacity=2)
    a, b, c = practice_members(3)
    for person in (a, b, c):
        services.book_place(event, person)
    count = run_on_commit(services.email_attendees, event, "Parking", "Park at the rear.", by=network_admin.user)
    assert count == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a.user.email, b.user.email])
    assert all("Parking" in m.subject for m in mailoutbox)


def test_event_refuses_booking_window_that_closes_before_it_opens(make_event):
    from django.core.exceptions import ValidationError

    event = make_event()
    event.booking_opens_at = timezone.now() + timedelta(days=2)
    event.booking_closes_at = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "booking_closes_at" in error.value.message_dict


def test_publishing_the_page_with_more_places_promotes_the_waiting_list(make_event, practice_members):
    event = make_event(capacity=1)
    a, b = practice_members(2)
    services.book_place(event, a)
    services.book_place(event, b)
    event.capacity = 2
    event.save_revision().publish()
    assert Booking.objects.get(event=event, member=b).status == "confirmed"
