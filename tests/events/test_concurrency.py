"""Never oversold: real concurrent bookings against PostgreSQL, each thread on its own connection."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from events import services
from events.models import Booking

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"),
]

CAPACITY = 10
REQUESTS = 60


@pytest.fixture
def crowd(make_member):
    from directory.models import Organisation

    members = []
    for i in range(REQUESTS):
        practice = Organisation.objects.create(name=f"Concurrency Practice {i}", kind="practice")
        members.append(make_member(organisations=[practice]))
    return members


def _in_own_connection(func):
    def run(*args):
        try:
            return func(*args)
        finally:
            connections.close_all()

    return run


def test_concurrent_bookings_confirm_exactly_capacity_and_queue_the_rest_in_arrival_order(make_event, crowd):
    event = make_event(capacity=CAPACITY)
    start = threading.Barrier(REQUESTS)

    @_in_own_connection
    def book(member):
        start.wait()
        return services.book_place(event, member).pk

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(book, crowd))

    assert len(results) == REQUESTS  # no errors: every request got an answer
    bookings = Booking.objects.filter(event=event)
    confirmed = list(bookings.filter(status="confirmed").order_by("place"))
    waiting = list(bookings.filter(status="waitlisted").order_by("position"))
    assert len(confirmed) == CAPACITY
    assert [b.place for b in confirmed] == list(range(1, CAPACITY + 1))
    assert len(waiting) == REQUESTS - CAPACITY
    assert [b.position for b in waiting] == list(range(1, REQUESTS - CAPACITY + 1))
    # Arrival order is the order the event lock was granted, stamped in created_at.
    assert [b.created_at for b in waiting] == sorted(b.created_at for b in waiting)
    assert max(b.created_at for b in confirmed) <= waiting[0].created_at


def test_concurrent_cancellations_promote_each_waiting_person_once(make_event, crowd):
    event = make_event(capacity=CAPACITY)
    bookings = [services.book_place(event, m) for m in crowd[: CAPACITY + 10]]
    to_cancel = bookings[:CAPACITY]
    start = threading.Barrier(len(to_cancel))

    @_in_own_connection
    def cancel(booking):
        start.wait()
        services.cancel_booking(booking)

    with ThreadPoolExecutor(max_workers=len(to_cancel)) as pool:
        list(pool.map(cancel, to_cancel))

    confirmed = Booking.objects.filter(event=event, status="confirmed")
    assert confirmed.count() == CAPACITY
    assert set(confirmed.values_list("member_id", flat=True)) == {b.member_id for b in bookings[CAPACITY:]}


def test_a_second_booking_waits_for_the_event_lock_and_gives_up_with_a_plain_message(make_event, crowd, monkeypatch):
    event = make_event(capacity=CAPACITY)
    monkeypatch.setattr(services, "LOCK_TIMEOUT_MS", 300)
    holding = threading.Event()
    release = threading.Event()

    @_in_own_connection
    def hold_lock():
        with transaction.atomic():
            services._lock_event(event.pk)
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert holding.wait(10)

        @_in_own_connection
        def try_booking():
            try:
                services.book_place(event, crowd[0])
            except services.EventBusy as busy:
                return busy.user_message
            return "booked"

        with ThreadPoolExecutor(max_workers=1) as pool:
            outcome = pool.submit(try_booking).result()
    finally:
        release.set()
        holder.join()
    assert "try again" in outcome
    assert not Booking.objects.filter(event=event).exists()
    assert services.book_place(event, crowd[0]).status == "confirmed"
