"""The production task queue: django-tasks on RQ (Redis), with retries and crash recovery.

In the embedded mode tasks run inline (django-tasks' ImmediateBackend) and
nothing here is used.  In production (``PORTAL_MODE=production`` with
``REDIS_URL``) ``django_tasks_rq.RQBackend`` puts each task on an RQ queue and
``manage.py task_worker`` (started by ``manage.py serve``) runs it.

Two policies are added to RQ's defaults here:

- every job is retried after a failure, waiting ``TASKS_RETRY_DELAYS`` seconds
  between tries (SMTP or the search server briefly down);
- tasks recorded in the transactional outbox while Redis was down are put
  on the queue by every worker's maintenance round (``portal.core.outbox``);
- a job whose worker died mid-run (machine crash, SIGKILL, out of memory) is
  noticed once its heartbeat lapses and retried like a failure, so nothing is
  lost.  A job may therefore run more than once: every task is idempotent
  (e-mails go through ``portal.core.delivery.send_once``).
"""
from __future__ import annotations

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import Retry, Worker

from portal.core.outbox import dispatch_outbox


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

    def run_maintenance_tasks(self):
        """RQ's upkeep, then the outbox: tasks recorded while Redis was down go on the queue now (portal/core/outbox.py)."""
        super().run_maintenance_tasks()
        from django.db import connections

        try:
            went = dispatch_outbox()
            if went:
                self.log.info("Worker %s: put %d recorded task(s) on the queue", self.name, went)
        except Exception:  # the database may be down too: the next round tries again
            self.log.exception("Worker %s: could not dispatch recorded tasks", self.name)
        finally:
            connections.close_all()  # this process forks for each task: it must hold no open connection

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker would otherwise wait on Redis for up to worker_ttl (7 minutes) before
        # its next look for abandoned tasks; wake up for maintenance as often as it is due.
        return max(1, min(self.worker_ttl - 15, self.maintenance_interval))
