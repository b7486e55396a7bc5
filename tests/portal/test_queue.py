"""Background work on the real queue: RQ on Redis, run by ``manage.py task_worker`` subprocesses.

The test process enqueues through django-tasks' RQ backend (as production
does); workers run with the portal's settings in production mode, against the
test database, and send e-mail to a ledger (``tests/queue_support.py``) so
the test can count who got what.  Needs PostgreSQL and Redis.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import django_rq
import pytest
from django.db import connection
from django_tasks import TaskResultStatus

from portal.tasks import send_emails
from portal.models import SentEmail

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
                       reason="the task queue needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)"),
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def queue(settings, tmp_path):
    """The production backend in this process, an empty queue, and a folder for the ledger mail server."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.TASKS_RETRY_DELAYS = [1, 1, 1]
    django_rq.get_connection("default").flushdb()  # this engineer's/CI's own Redis database: queue, registries, cache
    return tmp_path


@contextmanager
def task_worker(folder: Path):
    """A ``task_worker`` process in production mode that notices a dead worker's task within a few seconds."""
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
        "PORTAL_MODE": "production", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(folder / "static"), "QUEUE_TEST_DIR": str(folder), "TASKS_RETRY_DELAYS": "1,1,1",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--settings", "tests.queue_settings",
         "--heartbeat", "1", "--abandoned-after", "3", "--maintenance", "2"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=(folder / "worker.log").open("a"),
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()  # a warm stop: the worker and its scheduler end
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(condition, what: str, folder: Path, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            log = (folder / "worker.log").read_text() if (folder / "worker.log").exists() else ""
            pytest.fail(f"gave up waiting for {what}; worker log:\n{log[-3000:]}")
        time.sleep(0.2)


def delivered(folder: Path) -> Counter:
    ledger = folder / "ledger"
    return Counter(line.split("\t")[0] for line in ledger.read_text().splitlines()) if ledger.exists() else Counter()


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
        wait_for(lambda: (queue / "hanging").exists(), "the task to reach the 4th e-mail", queue)
        os.kill(int((queue / "hanging").read_text()), signal.SIGKILL)  # the process running the task
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its scheduler: nothing shuts down cleanly
        first.wait()
    assert sum(delivered(queue).values()) == 3

    with task_worker(queue):
        wait_for(lambda: SentEmail.objects.filter(key__startswith="forum.test:").count() == 6, "every e-mail", queue)
        wait_for(lambda: result.refresh() or result.status == TaskResultStatus.SUCCESSFUL, "the task to finish", queue)

    assert delivered(queue) == Counter(recipients)  # everyone, exactly once
