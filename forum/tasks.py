"""Background work for the forum: digests and escalation (e-mail fan-out goes through ``portal.core.tasks.send_emails``).

Run inline by the ImmediateBackend in the embedded mode and by a worker in
production.  The scheduler (cron or a systemd timer) enqueues the digest and
escalation tasks, or runs the ``forum_digest`` / ``forum_escalate`` commands.
"""
from __future__ import annotations

from django_tasks import task

from forum.services import escalate_unanswered, send_digest


@task()
def send_forum_digest(frequency: str) -> int:
    return send_digest(frequency)


@task()
def escalate_unanswered_questions() -> int:
    return len(escalate_unanswered())
