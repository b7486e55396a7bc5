"""Background work on the real queue: RQ on Redis, run by ``manage.py task_worker`` subprocesses.

The test process enqueues through django-tasks' RQ backend (as production
does); workers run with the portal's settings in production mode, against the
test database, and send e-mail to a ledger (``tests/queue_support.py``) so
the test can count who got what.  Needs PostgreSQL and Redis.
"""
from __future__ import annotations

from collections import Counter

import django_rq
from django_tasks import TaskResultStatus

from portal.core.models import SentEmail
from portal.core.tasks import send_emails
from tests.queue_workers import delivered, kill_worker_mid_send, needs_queue, queue, task_worker, wait_for  # noqa: F401

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
