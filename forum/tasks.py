"""Background work for the forum: e-mail fan-out, digests and escalation.

Run inline by the ImmediateBackend in the embedded mode and by a worker in
production.  The scheduler (cron or a systemd timer) enqueues the digest and
escalation tasks, or runs the ``forum_digest`` / ``forum_escalate`` commands.
"""
from __future__ import annotations

from django.core.mail import get_connection, send_mail
from django_tasks import task


@task()
def send_forum_emails(messages: list[list[str]]) -> int:
    """Send ``[subject, body, to]`` e-mails written by a forum service after its transaction committed."""
    connection = get_connection()
    for subject, body, to in messages:
        send_mail(subject, body, None, [to], connection=connection)
    return len(messages)


@task()
def send_forum_digest(frequency: str) -> int:
    from forum.services import send_digest

    return send_digest(frequency)


@task()
def escalate_unanswered_questions() -> int:
    from forum.services import escalate_unanswered

    return len(escalate_unanswered())
