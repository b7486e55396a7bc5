"""Background work for events."""
from __future__ import annotations

from django_tasks import task

from events import services


@task()
def send_event_reminders(days_before: int = 2) -> int:
    """E-mail everyone with a confirmed place at events starting in the next ``days_before`` days (run daily)."""
    return services.send_event_reminders(days_before)
