"""Background work on the real queue: RQ on Redis, run by ``manage.py task_worker`` subprocesses.

The test process enqueues through django-tasks' RQ backend (as production
does); workers run with the portal's settings in production mode, against the
test database, and send e-mail to a ledger (``tests/queue_support.py``) so
the test can count who got what.  Needs PostgreSQL and Redis.
"""
from __future__ import annotations

import time
from collections import Counter

import django_rq
from django_tasks import TaskResultStatus

from portal.core.models import SentEmail
from portal.core.tasks import send_emails
from tests.queue_workers import (  # noqa: F401
    delivered, kill_worker_mid_send, needs_queue, queue, sending_processes, task_worker, wait_for,
)

pytestmark = needs_queue


def fan_out(count: int, subject: str) -> tuple[list[list[str]], list[str]]:
    recipients = [f"member{n}@pbc-network.nhs.uk" for n in range(1, count + 1)]
    return [[subject, "A reply in a thread you watch.", to, f"forum.test:{subject}:{to}"] for to in recipients], recipients


def test_task_enqueued_in_production_mode_runs_in_a_worker_process(queue):
    messages, recipients = fan_out(2, "New reply")

    result = send_emails.enqueue(messages)
    with task_worker(queue):
        wait_for(lambda: result.refresh() or result.status == TaskResultStatus.SUCCESSFUL, "the task to finish", queue)

    assert result.return_value == 2
    assert delivered(queue) == Counter(recipients)


def test_failing_task_is_retried_and_then_succeeds(queue):
    (queue / "fail-next").touch()  # the mail server drops the first connection
    messages, recipients = fan_out(3, "New thread")

    result = send_emails.enqueue(messages)
    with task_worker(queue):
        wait_for(lambda: result.refresh() or result.status == TaskResultStatus.SUCCESSFUL, "the retry to succeed", queue)

    assert not (queue / "fail-next").exists()  # the first try met the failure
    assert django_rq.get_queue("default").fetch_job(result.id).retries_left == 2  # one of three retries used
    assert delivered(queue) == Counter(recipients)


def test_task_whose_worker_is_killed_mid_job_completes_once_on_restart(queue):
    (queue / "hang-at").write_text("3")  # the 4th e-mail hangs until the worker is killed
    messages, recipients = fan_out(6, "Question referred to the SHA")

    result = send_emails.enqueue(messages)
    with task_worker(queue) as first:
        kill_worker_mid_send(first, queue)
    assert sum(delivered(queue).values()) == 3

    with task_worker(queue):
        wait_for(lambda: SentEmail.objects.filter(key__startswith="forum.test:").count() == 6, "every e-mail", queue)
        wait_for(lambda: result.refresh() or result.status == TaskResultStatus.SUCCESSFUL, "the task to finish", queue)

    assert delivered(queue) == Counter(recipients)  # everyone, exactly once


def test_task_runs_in_the_workers_own_process_without_forking(queue):
    messages, recipients = fan_out(3, "Event reminder")

    first, second = send_emails.enqueue(messages[:2]), send_emails.enqueue(messages[2:])
    with task_worker(queue) as worker:
        for result in (first, second):
            wait_for(lambda result=result: result.refresh() or result.status == TaskResultStatus.SUCCESSFUL, "the tasks to finish", queue)

    assert sending_processes(queue) == {worker.pid}  # both jobs, in the worker process itself
    assert delivered(queue) == Counter(recipients)


def test_task_past_its_time_out_is_stopped_and_retried_by_the_same_worker(queue, monkeypatch):
    monkeypatch.setitem(django_rq.settings.QUEUES["default"], "DEFAULT_TIMEOUT", 3)
    (queue / "hang-at").write_text("1")  # the 2nd e-mail hangs for ten minutes: the time-out must end it
    messages, recipients = fan_out(3, "Booking confirmed")

    result = send_emails.enqueue(messages)
    with task_worker(queue) as worker:
        wait_for(lambda: result.refresh() or result.status == TaskResultStatus.SUCCESSFUL, "the retry to succeed", queue)
        assert worker.poll() is None  # the worker lived through its job's time-out

    assert "JobTimeoutException" in (queue / "worker.log").read_text()
    assert django_rq.get_queue("default").fetch_job(result.id).retries_left == 2  # the timed-out try counted as a failure
    assert int((queue / "hanging").read_text()) == worker.pid
    assert delivered(queue) == Counter(recipients)  # everyone, exactly once
    assert sending_processes(queue) == {worker.pid}


def test_long_task_keeps_its_heartbeat_and_is_not_taken_for_abandoned(queue):
    """The worker gives up on a silent task 3 s after its last heartbeat (``--abandoned-after 3``); this one takes 6 s."""
    (queue / "slow").write_text("6")
    messages, recipients = fan_out(1, "Newsletter")

    result = send_emails.enqueue(messages)
    started = django_rq.get_queue("default").started_job_registry
    with task_worker(queue):
        wait_for(lambda: (queue / "sending").exists(), "the slow send to start", queue)
        time.sleep(4.5)  # past the 4 s a heartbeat sent only at the start would have given
        connection = django_rq.get_connection("default")
        expiries = [score for _member, score in connection.zrange(started.key, 0, -1, withscores=True)]
        assert expiries and min(expiries) > time.time()  # still running, heartbeat current
        wait_for(lambda: result.refresh() or result.status == TaskResultStatus.SUCCESSFUL, "the task to finish", queue)

    assert django_rq.get_queue("default").fetch_job(result.id).retries_left == 3  # ran once: never retried as abandoned
    assert delivered(queue) == Counter(recipients)
