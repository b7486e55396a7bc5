"""Background work for service-area watches."""
from __future__ import annotations

from django_tasks import task

from directory.areas.services import notify_followers


@task()
def notify_area_followers(movement_id: int) -> int:
    """Tell the followers of a movement's service areas (idempotent: re-running tells nobody twice)."""
    return notify_followers(movement_id)
