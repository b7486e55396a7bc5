"""Background work for the re-design matrix."""
from __future__ import annotations

from django_tasks import task

from redesign.services import notify_adapters_of, remind_stale_entries


@task()
def send_stale_reminders() -> int:
    """Remind the leads of work nobody has updated for 90 days (run daily)."""
    return remind_stale_entries()


@task()
def notify_adapters(version_id: int) -> int:
    """Tell adapters of a template that it has a new version (idempotent: see ``notify_adapters_of``)."""
    return notify_adapters_of(version_id)
