"""Background work shared by every app: sending e-mails once each (see portal/core/delivery.py)."""
from __future__ import annotations

from django.core.mail import EmailMessage, get_connection
from django_tasks import task

from portal.core.delivery import send_once


@task()
def send_emails(messages: list[list]) -> int:
    """Send ``[subject, body, to, key]`` e-mails written by a service; returns how many went now.

    A fifth item, when present, lists text attachments as ``[filename, content,
    mimetype]`` (a booking's calendar file).  Each e-mail is sent once per key
    (``send_once``), so a retry after a failure or a crash sends only those
    that had not gone.
    """
    connection = get_connection()
    sent = 0
    for subject, body, to, key, *rest in messages:
        # A subject is one line: a newline from a title (stored before titles were normalised, or
        # from any other text) would make Django refuse the header, and the e-mail would never go.
        message = EmailMessage(" ".join(subject.split()), body, to=[to], connection=connection)
        for filename, content, mimetype in (rest[0] if rest else []):
            message.attach(filename, content, mimetype)
        sent += send_once(key, message)
    return sent
