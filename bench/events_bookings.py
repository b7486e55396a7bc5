"""Events: 500 concurrent booking requests on 50 places against PostgreSQL.

Creates a throwaway test database (``test_<name>`` of whatever ``DATABASE_URL``
names), 500 approved members (each in their own practice, so only capacity
limits them) and one event with 50 places.  Then W worker threads, each with
its own database connection, fire all 500 ``events.services.book_place``
calls at once (released together by a barrier per wave).  Checks that exactly
50 places are confirmed, 450 people are on the waiting list numbered 1..450
in the order the lock was granted, and that no request failed; prints the
wall time and bookings per minute.

Run from the repository root:

    . .venv/bin/activate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_events python bench/events_bookings.py

Options: ``--requests N`` (default 500), ``--capacity C`` (default 50), ``--workers W`` (default 50;
keep below PostgreSQL's max_connections).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--workers", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from datetime import timedelta

        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from directory.models import Member, Organisation
        from events import services
        from events.models import Booking, EventIndexPage, EventPage, EventSession
        from portal.site.models import HomePage

        home = HomePage.objects.first()
        index = EventIndexPage(title="Events", slug="events")
        home.add_child(instance=index)
        start = timezone.now() + timedelta(days=30)
        event = EventPage(title="Benchmark course", slug="benchmark-course", capacity=args.capacity, audience="members")
        event.sessions.add(EventSession(starts_at=start, ends_at=start + timedelta(hours=4)))
        index.add_child(instance=event)

        User = get_user_model()
        users = User.objects.bulk_create(
            [User(username=f"bench{i}", email=f"bench{i}@example.nhs.uk", first_name="Bench", last_name=str(i)) for i in range(args.requests)]
        )
        practices = Organisation.objects.bulk_create(
            [Organisation(name=f"Bench Practice {i}", kind="practice", slug=f"bench-practice-{i}") for i in range(args.requests)]
        )
        members = Member.objects.bulk_create([Member(user=u, status=Member.Status.APPROVED) for u in users])
        Member.organisations.through.objects.bulk_create(
            [Member.organisations.through(member_id=m.pk, organisation_id=p.pk) for m, p in zip(members, practices)]
        )
        members = list(Member.objects.select_related("user").order_by("pk"))
        connections.close_all()

        errors: list[str] = []
        gate = threading.Barrier(args.workers)

        def book(member):
            try:
                try:
                    gate.wait(timeout=5)
                except threading.BrokenBarrierError:
                    pass  # the last, partial wave starts as soon as it can
                services.book_place(event, member)
            except Exception as error:  # counted and reported, never hidden
                errors.append(f"{type(error).__name__}: {error}")
            finally:
                connections["default"].close()

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            list(pool.map(book, members))
        elapsed = time.perf_counter() - began

        bookings = Booking.objects.filter(event=event)
        confirmed = bookings.filter(status="confirmed").count()
        waiting = list(bookings.filter(status="waitlisted").order_by("position").values_list("position", "created_at"))
        positions_ok = [p for p, _ in waiting] == list(range(1, len(waiting) + 1))
        order_ok = [c for _, c in waiting] == sorted(c for _, c in waiting)
        print(f"requests: {args.requests}, capacity: {args.capacity}, workers: {args.workers}")
        print(f"confirmed: {confirmed}  waitlisted: {len(waiting)}  errors: {len(errors)}")
        print(f"waiting list numbered 1..{len(waiting)} without gaps: {positions_ok}; in lock order: {order_ok}")
        print(f"wall time: {elapsed:.2f} s  →  {args.requests / elapsed * 60:,.0f} bookings per minute")
        for line in errors[:5]:
            print("  error:", line)
        ok = confirmed == args.capacity and not errors and positions_ok and order_ok and len(waiting) == args.requests - args.capacity
        print("RESULT:", "PASS" if ok else "FAIL")
        # The last line is for ``python -m bench``, which reads it.
        print(json.dumps({
            "requests": args.requests, "capacity": args.capacity, "confirmed": confirmed, "waitlisted": len(waiting),
            "errors": len(errors), "seconds": round(elapsed, 2), "bookings_per_minute": round(args.requests / elapsed * 60),
            "pass": ok,
        }))
        if not ok:
            sys.exit(1)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
