"""Background work shared by every app: sending e-mails once each (see portal/delivery.py)."""
from __future__ import annotations

from django.core.mail import EmailMessage, get_connection
from django_tasks import task


@task()
def send_emails(messages: list[list[str]]) -> int:
    """Send ``[subject, body, to, key]`` e-mails written by a service; returns how many went now.

    Each one is sent once per key (``send_once``), so a retry after a failure
    or a crash sends only those that had not gone.
    """
    from portal.delivery import send_once

    connection = get_connection()
    return sum(
        send_once(key, EmailMessage(subject, body, to=[to], connection=connection))
        for subject, body, to, key in messages
    )
