"""Background work for guidance and the newsletter (django_tasks; inline in the embedded mode).

A scheduler (cron or the worker's periodic runner) enqueues the daily ones:
``send_review_reminders_task`` and ``check_links_task``.  The newsletter
chains one task per batch so a large send never holds one worker for long.
"""
from __future__ import annotations

from django_tasks import task

from portal.guidance import services as guidance_services
from portal.guidance.models import NewsletterDelivery


@task()
def send_review_reminders_task() -> int:
    """Remind guidance owners of review dates; returns the number of e-mails."""
    return guidance_services.send_review_reminders().emails


@task()
def check_links_task() -> int:
    """Check the links library; returns how many links broke since the last check."""
    return len(guidance_services.check_links())


@task()
def send_newsletter_batch(issue_id: int, batch_size: int) -> int:
    """Send one batch of an issue, then queue the next batch while recipients still wait.

    Safe to run again (a retry after a failure, or after the worker died): every
    copy goes through ``send_once`` under its own key.
    """
    sent = guidance_services.deliver_newsletter_batch(issue_id, batch_size)
    # Chain on while anyone waits, even when this batch sent nothing new (a retry whose copies had
    # all gone before the crash): each batch claims rows, so the chain ends when none are pending.
    if NewsletterDelivery.objects.filter(issue_id=issue_id, status=NewsletterDelivery.Status.PENDING).exists():
        send_newsletter_batch.enqueue(issue_id, batch_size)
    return sent
