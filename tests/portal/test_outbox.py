"""The transactional outbox (portal/core/outbox.py): a task is recorded with the operation and reaches the queue once.

The queue here is django-tasks' DummyBackend (it keeps what was enqueued) or
the real RQ backend pointed at a port where nothing listens (Redis down).
The same path with a real Redis stopped and restarted, and a real worker, is
tests/reliability/test_outbox.py.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from django_tasks import task_backends

from portal.core.models import OutboxTask
from portal.core.outbox import dispatch_outbox, enqueue_on_commit
from portal.core.tasks import send_emails
from tests.reliability.conftest import free_port

pytestmark = pytest.mark.django_db

EMAIL = [["Your place is booked", "See you there.", "member@pbc-network.nhs.uk", "outbox.test:1"]]


@pytest.fixture
def dummy_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return task_backends["default"]


@pytest.fixture
def redis_down(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{free_port()}/0", "DEFAULT_TIMEOUT": 60}}


def test_embedded_mode_runs_the_task_after_commit_with_no_record(mailoutbox):
    with TestCase.captureOnCommitCallbacks(execute=True):
        enqueue_on_commit(send_emails, EMAIL)

    assert [m.subject for m in mailoutbox] == ["[PbC Network] Your place is booked"]
    assert not OutboxTask.objects.exists()


def test_task_is_recorded_in_the_transaction_and_queued_once_it_commits(dummy_queue):
    with TestCase.captureOnCommitCallbacks(execute=True):
        enqueue_on_commit(send_emails, EMAIL)
        assert OutboxTask.objects.get().enqueued_at is None  # recorded, not yet queued

    (result,) = dummy_queue.results
    assert result.args == [EMAIL]
    record = OutboxTask.objects.get()
    assert record.enqueued_at is not None and record.result_id == result.id


def test_task_of_a_rolled_back_operation_is_neither_recorded_nor_queued(dummy_queue):
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(send_emails, EMAIL)
        raise RuntimeError("the operation failed")

    assert dummy_queue.results == []
    assert not OutboxTask.objects.exists()


def test_task_the_queue_refuses_stays_recorded_with_the_error(redis_down):
    with TestCase.captureOnCommitCallbacks(execute=True):
        enqueue_on_commit(send_emails, EMAIL)  # the operation itself still succeeds

    record = OutboxTask.objects.get()
    assert record.enqueued_at is None and record.attempts == 1
    assert "Error" in record.last_error or "refused" in record.last_error


def test_dispatch_queues_each_waiting_task_once_when_the_queue_is_back(redis_down, settings):
    with TestCase.captureOnCommitCallbacks(execute=True):
        enqueue_on_commit(send_emails, EMAIL)
    assert dispatch_outbox() == 0  # still down

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the queue is back
    assert dispatch_outbox() == 1
    assert dispatch_outbox() == 0

    assert len(task_backends["default"].results) == 1
    assert OutboxTask.objects.get().attempts == 3


def test_dispatch_forgets_tasks_queued_more_than_a_week_ago(dummy_queue):
    OutboxTask.objects.create(task_path="portal.core.tasks.send_emails", enqueued_at=timezone.now() - dt.timedelta(days=8))
    recent = OutboxTask.objects.create(task_path="portal.core.tasks.send_emails", enqueued_at=timezone.now() - dt.timedelta(days=1))

    dispatch_outbox()

    assert list(OutboxTask.objects.all()) == [recent]
