"""The newsletter on the real queue: a worker killed mid-send, and every subscriber still gets exactly one copy."""
from __future__ import annotations

from collections import Counter

from portal.core.models import SentEmail
from portal.guidance import services
from portal.guidance.models import NewsletterDelivery
from tests.queue_workers import delivered, kill_worker_mid_send, needs_queue, queue, task_worker, wait_for  # noqa: F401

pytestmark = needs_queue


def test_newsletter_whose_worker_is_killed_mid_send_reaches_everyone_exactly_once(queue, issue, subscribers):
    (queue / "hang-at").write_text("3")  # the 4th copy hangs until the worker is killed
    services.send_newsletter(issue, batch_size=2)  # autocommit: the first batch is queued at once

    with task_worker(queue) as first:
        kill_worker_mid_send(first, queue)
    assert sum(delivered(queue).values()) == 3
    assert NewsletterDelivery.objects.filter(issue=issue, status="sending").count() == 1  # the copy that died

    with task_worker(queue):
        wait_for(lambda: not NewsletterDelivery.objects.filter(issue=issue).exclude(status="sent").exists(),
                 "every copy to be marked sent", queue)

    assert delivered(queue) == Counter(s.user.email for s in subscribers)  # everyone, exactly once
    assert SentEmail.objects.filter(key__startswith=f"newsletter:{issue.pk}:").count() == 5
    issue.refresh_from_db()
    assert issue.sent_at is not None


def test_newsletter_batch_on_the_queue_is_retried_after_the_mail_server_refuses(queue, issue, subscribers):
    (queue / "fail-next").touch()
    services.send_newsletter(issue, batch_size=10)

    with task_worker(queue):
        wait_for(lambda: not NewsletterDelivery.objects.filter(issue=issue).exclude(status="sent").exists(),
                 "every copy to be marked sent", queue)

    assert not (queue / "fail-next").exists()
    assert delivered(queue) == Counter(s.user.email for s in subscribers)
