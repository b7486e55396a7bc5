"""The transactional outbox with the queue's Redis stopped: an operation commits, its task is recorded, and runs once Redis is back.

Uses a private redis-server (never the shared one) and a real ``task_worker``
subprocess; needs PostgreSQL and Redis like tests/portal/test_queue.py.
"""
from __future__ import annotations

from collections import Counter

import pytest

from directory import services
from portal.core.models import OutboxTask, SentEmail
from tests.queue_workers import delivered, needs_queue, task_worker, wait_for

pytestmark = needs_queue


@pytest.fixture
def private_queue(settings, private_redis, tmp_path):
    """The production queue in this process, on a private Redis the test may stop."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.TASKS_RETRY_DELAYS = [1, 1, 1]
    settings.RQ_QUEUES = {"default": {"URL": private_redis.url, "DEFAULT_TIMEOUT": 600}}
    return private_redis


def test_operation_committed_while_redis_is_down_has_its_task_run_once_when_redis_returns(private_queue, network_admin, tmp_path):
    private_queue.stop()

    invitation = services.invite_member("new.person@suffolk-pharmacy.example", by=network_admin.user)

    (record,) = OutboxTask.objects.all()
    assert record.task_path == "portal.core.tasks.send_emails"
    assert record.enqueued_at is None and record.attempts == 1 and record.last_error  # the try after commit failed

    private_queue.start()  # same port: Redis is back, empty
    with task_worker(tmp_path, redis_url=private_queue.url):
        wait_for(lambda: SentEmail.objects.filter(key=f"directory.invitation:{invitation.pk}").exists(), "the invitation", tmp_path)
        wait_for(lambda: OutboxTask.objects.filter(enqueued_at__isnull=False).exists(), "the record to be marked", tmp_path)

    assert delivered(tmp_path) == Counter({"new.person@suffolk-pharmacy.example": 1})
    record.refresh_from_db()
    assert record.attempts == 2 and record.result_id


def test_operation_committed_while_redis_is_up_is_queued_at_once_and_marked(private_queue, network_admin, tmp_path):
    services.invite_member("new.person@suffolk-pharmacy.example", by=network_admin.user)

    (record,) = OutboxTask.objects.all()
    assert record.enqueued_at is not None and record.attempts == 1
    with task_worker(tmp_path, redis_url=private_queue.url):
        wait_for(lambda: delivered(tmp_path), "the invitation", tmp_path)

    assert delivered(tmp_path) == Counter({"new.person@suffolk-pharmacy.example": 1})


def _watched_thread(member):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    board = Board.objects.create(subsection=Subsection.objects.create(name="Management"), name="Commissioning and contracts")
    return post_thread(member, board, title="Dermatology tier 2 business case", body="Has anyone costed the GPwSI clinics?")


def _thread_index_body(thread) -> str:
    from search.models import IndexedDocument

    entry = IndexedDocument.objects.filter(key=f"thread:{thread.pk}").first()
    return entry.body if entry else ""


def test_reply_posted_while_redis_is_down_is_indexed_once_redis_returns(private_queue, member, tmp_path):
    from forum.services import post_reply

    thread = _watched_thread(member)
    private_queue.stop()

    post_reply(member, thread, body="Yes: the Huntingdon cluster's figures came to £38 a patient.")

    (record,) = OutboxTask.objects.filter(task_path="search.tasks.index_search_entry", args=["thread", str(thread.pk)]).order_by("-pk")[:1]
    assert record.enqueued_at is None and record.last_error  # recorded with the reply; the try after commit failed
    assert "Huntingdon" not in _thread_index_body(thread)

    private_queue.start()
    with task_worker(tmp_path, redis_url=private_queue.url):
        wait_for(lambda: "Huntingdon" in _thread_index_body(thread), "the reply in the thread's search entry", tmp_path)


def test_reply_request_in_production_mode_queues_the_index_instead_of_indexing_inline(private_queue, member, client):
    thread = _watched_thread(member)
    client.force_login(member.user)

    response = client.post(f"/forum/threads/{thread.pk}/reply/", {"body": "Yes: the Huntingdon cluster costed them."})

    assert response.status_code == 302
    assert "Huntingdon" not in _thread_index_body(thread)  # no task worker runs here: only the queue could index it
    assert OutboxTask.objects.filter(task_path="search.tasks.index_search_entry", args=["thread", str(thread.pk)],
                                     enqueued_at__isnull=False).exists()
