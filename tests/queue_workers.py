"""Real task workers for tests: ``manage.py task_worker`` subprocesses on RQ, and what their mail server accepted.

Workers run with the portal's settings in production mode, against the test
database, and send e-mail to a ledger (``tests/queue_support.py``) so a test
can count who got what.  Tests using these need PostgreSQL and Redis, and
``django_db(transaction=True)`` so the workers see the test's rows.
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

ROOT = Path(__file__).resolve().parents[1]

needs_queue = [
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
def task_worker(folder: Path, redis_url: str | None = None):
    """A ``task_worker`` process in production mode that notices a dead worker's task within a few seconds."""
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
        "PORTAL_MODE": "production", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(folder / "static"), "QUEUE_TEST_DIR": str(folder), "TASKS_RETRY_DELAYS": "1,1,1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
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


def sending_processes(folder: Path) -> set[int]:
    """The process ids that sent the ledger's e-mails."""
    ledger = folder / "ledger"
    return {int(line.split("\t")[2]) for line in ledger.read_text().splitlines()} if ledger.exists() else set()


def kill_worker_mid_send(worker: subprocess.Popen, folder: Path) -> None:
    """Kill the process stuck sending (``hang-at``), then the worker and its scheduler: nothing shuts down cleanly."""
    wait_for(lambda: (folder / "hanging").exists(), "a send to hang", folder)
    os.kill(int((folder / "hanging").read_text()), signal.SIGKILL)  # the worker itself: it runs its jobs in-process
    try:
        os.killpg(worker.pid, signal.SIGKILL)  # its scheduler, if still there
    except ProcessLookupError:
        pass
    worker.wait()
