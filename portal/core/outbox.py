"""A transactional outbox: background tasks that are not lost when Redis is down at the moment they are asked for.

``enqueue_on_commit(task, *args)`` is what a service calls instead of
``transaction.on_commit(lambda: task.enqueue(*args))``:

- in the embedded mode (tasks inline, django-tasks' ImmediateBackend) it is
  exactly that: the task runs once the transaction commits;
- with a real queue it records an ``OutboxTask`` row in the caller's
  transaction, so the task commits or rolls back with the operation, and
  once the transaction commits it tries to put the task on the queue and
  marks the row.  If Redis does not answer the row stays waiting, and
  ``dispatch_outbox`` (run by every task worker's maintenance loop,
  ``portal.core.queue.PortalWorker``) enqueues it when Redis is back.

Each row is taken under a row lock (``skip_locked``), so the request's own
attempt and several workers never enqueue the same row at once.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.immediate import ImmediateBackend

from portal.core.models import OutboxTask

logger = logging.getLogger(__name__)

KEEP_ENQUEUED_FOR = dt.timedelta(days=7)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue ``task(*args, **kwargs)`` once the current transaction commits; never lost if the queue is down.

    ``task`` is a task or its dotted path (``"search.tasks.index_search_entry"``, as the outbox records it).
    A service queues its own app's tasks by path: the tasks module imports the services it runs, and the
    services never import it back (tasks call services, not the other way round).
    """
    if isinstance(task, str):
        task = import_string(task)
    if isinstance(task.get_backend(), ImmediateBackend):
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
        return
    row = OutboxTask.objects.create(task_path=task.module_path, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: dispatch_task(row.pk))


def dispatch_task(pk: int) -> bool:
    """Put one recorded task on the queue and mark it; False when the queue could not be reached.

    True too when there was nothing to do: the row is already on the queue, or
    another process holds it right now.
    """
    with transaction.atomic():
        row = OutboxTask.objects.select_for_update(skip_locked=True).filter(pk=pk, enqueued_at__isnull=True).first()
        if row is None:
            return True
        try:
            result = import_string(row.task_path).enqueue(*row.args, **row.kwargs)
        except Exception as error:  # Redis down or refusing: keep the row for the next dispatch
            logger.warning("portal.core.outbox: could not queue %s (task record %s): %s", row.task_path, row.pk, error)
            OutboxTask.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=str(error)[:255])
            return False
        row.enqueued_at, row.result_id = timezone.now(), str(result.id)[:64]
        row.attempts += 1
        row.save(update_fields=["enqueued_at", "result_id", "attempts"])
    return True


def dispatch_outbox(limit: int = 500) -> int:
    """Enqueue up to ``limit`` recorded tasks still waiting, oldest first; returns how many went.

    Stops at the first one the queue refuses (it is down: the rest would fail
    too), and forgets rows enqueued more than a week ago.
    """
    waiting = list(OutboxTask.objects.filter(enqueued_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:limit])
    went = 0
    for pk in waiting:
        if not dispatch_task(pk):
            break
        went += 1
    OutboxTask.objects.filter(enqueued_at__lt=timezone.now() - KEEP_ENQUEUED_FOR).delete()
    return went
