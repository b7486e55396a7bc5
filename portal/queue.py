"""The production task queue: django-tasks on RQ (Redis), with retries and crash recovery.

In the embedded mode tasks run inline (django-tasks' ImmediateBackend) and
nothing here is used.  In production (``PORTAL_MODE=production`` with
``REDIS_URL``) ``django_tasks_rq.RQBackend`` puts each task on an RQ queue and
``manage.py task_worker`` (started by ``manage.py serve``) runs it.

Two policies are added to RQ's defaults here:

- every job is retried after a failure, waiting ``TASKS_RETRY_DELAYS`` seconds
  between tries (SMTP or the search server briefly down);
- a job whose worker died mid-run (machine crash, SIGKILL, out of memory) is
  noticed once its heartbeat lapses and retried like a failure, so nothing is
  lost.  A job may therefore run more than once: every task is idempotent
  (e-mails go through ``portal.delivery.send_once``).
"""
from __future__ import annotations

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import Retry, Worker


class RetryingQueue(DjangoRQ):
    """An RQ queue whose jobs are retried with backoff unless the caller chose otherwise."""

    def create_job(self, *args, **kwargs):
        delays = settings.TASKS_RETRY_DELAYS
        if kwargs.get("retry") is None and delays:
            kwargs["retry"] = Retry(max=len(delays), interval=list(delays))
        return super().create_job(*args, **kwargs)


class PortalWorker(Worker):
    """RQ's forking worker, with a configurable grace before a silent job counts as abandoned.

    RQ adds a fixed 60 seconds to the heartbeat interval; ``abandoned_after``
    replaces that margin (``task_worker --abandoned-after``).
    """

    abandoned_after = 60

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        return super().get_heartbeat_ttl(job, working_time) - 60 + self.abandoned_after

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker would otherwise wait on Redis for up to worker_ttl (7 minutes) before
        # its next look for abandoned tasks; wake up for maintenance as often as it is due.
        return max(1, min(self.worker_ttl - 15, self.maintenance_interval))
