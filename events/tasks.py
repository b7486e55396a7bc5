"""Background work for events."""
from __future__ import annotations

from django_tasks import task


@task()
def send_event_reminders(days_before: int = 2) -> int:
    """E-mail everyone with a confirmed place at events starting in the next ``days_before`` days (run daily)."""
    from events.services import send_event_reminders as send

    return send(days_before)


@task()
def send_booking_email(kind: str, booking_pk: int) -> int:
    """Send a booking's ``confirmation`` or ``promotion`` e-mail, once per key however often this runs."""
    from events.emails import booking_email
    from portal.core.tasks import send_emails

    email = booking_email(kind, booking_pk)
    return send_emails.call([list(email)]) if email else 0
