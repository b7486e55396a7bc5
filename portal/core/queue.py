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

The worker runs each job in its own process (RQ's ``SimpleWorker``) instead of
forking a child per job: a fork, the child's fresh database connection and its
exit cost about 70 ms of CPU, several times the work of a typical job
(re-indexing one member: 12 ms in-process, ~80 ms as a forked job, issue 22).
What forking gave, kept here: a job's time-out (RQ's SIGALRM death penalty,
which works in the worker's main thread as it did in the child), and the
heartbeat while a job runs (a thread sends it every ``job_monitoring_interval``
seconds, as the forking worker's parent did), so a long job is not taken for
an abandoned one.  What it cannot keep: a job stuck in C code that never
returns to Python is not interrupted at its time-out; the worker's heartbeat
then lapses and, once the worker is restarted, the job is retried.
"""
from __future__ import annotations

import threading

from django.conf import settings
from django.db import close_old_connections
from django_rq.queues import DjangoRQ
from rq import Retry, SimpleWorker
from rq.worker import BaseWorker, WorkerStatus

from portal.core.outbox import dispatch_outbox


class RetryingQueue(DjangoRQ):
    """An RQ queue whose jobs are retried with backoff unless the caller chose otherwise."""

    def create_job(self, *args, **kwargs):
        delays = settings.TASKS_RETRY_DELAYS
        if kwargs.get("retry") is None and delays:
            kwargs["retry"] = Retry(max=len(delays), interval=list(delays))
        return super().create_job(*args, **kwargs)


class PortalWorker(SimpleWorker):
    """RQ's non-forking worker with a heartbeat while a job runs, and a configurable grace before a silent
    job counts as abandoned.

    RQ adds a fixed 60 seconds to the heartbeat interval; ``abandoned_after``
    replaces that margin (``task_worker --abandoned-after``).
    """

    abandoned_after = 60

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        # The base worker's rule (the next heartbeat is due within job_monitoring_interval), not SimpleWorker's
        # (one heartbeat for the whole time-out): this worker keeps beating while the job runs.
        return BaseWorker.get_heartbeat_ttl(self, job, working_time) - 60 + self.abandoned_after

    def execute_job(self, job, queue):
        """Run the job in this process, with the heartbeat kept up by a thread until the job has ended."""
        execution = self.prepare_execution(job)
        self._beat_lock = threading.Lock()
        self._job_ended = threading.Event()
        beat = threading.Thread(target=self._beat_while_running, args=(job, execution, self._job_ended),
                                name="rq-heartbeat", daemon=True)
        close_old_connections()  # as Django does before a request: a connection broken since is not reused
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            self._stop_beating()
            beat.join()
            close_old_connections()
        self.set_state(WorkerStatus.IDLE)

    def _beat_while_running(self, job, execution, ended: threading.Event) -> None:
        while not ended.wait(self.job_monitoring_interval):
            with self._beat_lock:
                if ended.is_set():
                    return
                try:
                    self.maintain_heartbeats(job, execution)
                except Exception:  # Redis briefly away: the next beat tries again
                    self.log.exception("Worker %s: could not send a heartbeat for job %s", self.name, job.id)

    def _stop_beating(self) -> None:
        ended = getattr(self, "_job_ended", None)
        if ended is not None:
            with self._beat_lock:  # a heartbeat being sent finishes first, so none lands after the job's end is recorded
                ended.set()

    def handle_execution_ended(self, job, queue, heartbeat_ttl: int):
        """The job has returned or raised: no heartbeat may follow RQ's record of how it ended."""
        self._stop_beating()
        super().handle_execution_ended(job, queue, heartbeat_ttl)

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
            connections.close_all()  # an idle worker holds no connection between rounds

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker would otherwise wait on Redis for up to worker_ttl (7 minutes) before
        # its next look for abandoned tasks; wake up for maintenance as often as it is due.
        return max(1, min(self.worker_ttl - 15, self.maintenance_interval))
