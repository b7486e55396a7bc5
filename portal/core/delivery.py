"""Send each e-mail of a background task once, however often the task runs.

A task that fails part-way is retried, and one whose worker died is run
again (``portal.core.queue``), so the e-mails it sent before must not go twice.
Each e-mail is sent inside a transaction that records its key in
``SentEmail``:

- sent: the key commits with it, and every later run skips it;
- sending fails, or the process dies before the mail server accepted it: the
  transaction rolls back, the key is not recorded, and the next run sends it;
- two workers on the same key: the second waits on the unique index until
  the first commits, then skips.

Only a crash in the instant between the mail server's acceptance and the
commit can repeat an e-mail; nothing is lost.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from portal.core.models import SentEmail
from portal.core.outbox import enqueue_on_commit


def with_subject_prefix(subject: str) -> str:
    """``subject`` with the portal's one subject prefix (``settings.PORTAL_EMAIL_SUBJECT_PREFIX``), added once."""
    prefix = settings.PORTAL_EMAIL_SUBJECT_PREFIX
    return subject if subject.startswith(prefix) else f"{prefix}{subject}"


def send_once(key: str, message: EmailMessage) -> bool:
    """Send ``message`` unless an e-mail with ``key`` was sent before; True when it went now.

    Every e-mail the portal writes itself goes through here, so this is where
    its subject gets the prefix allauth's e-mails have too.
    """
    if len(key) > 200:
        raise ValueError(f"E-mail keys are at most 200 characters: {key!r}")
    message.subject = with_subject_prefix(message.subject)
    with transaction.atomic():
        _, created = SentEmail.objects.get_or_create(key=key)
        if created:
            message.send()
    return created


def email_after_commit(messages: Iterable[Sequence]) -> None:
    """Hand ``(subject, body, to, key)`` e-mails to background work once the current transaction commits.

    An e-mail may carry a fifth item, its text attachments as ``(filename,
    content, mimetype)`` triples.  The key names the purpose, the object and
    the recipient (``"events.booking.confirmed:42"``): one e-mail per key, ever.

    The task (``portal.core.tasks.send_emails``) carries the e-mails themselves, so
    a retry after a failure has them all and sends only the ones not yet sent.
    """
    payload = [[*message[:4], [list(a) for a in message[4]]] if len(message) > 4 else list(message) for message in messages]
    if payload:
        enqueue_on_commit("portal.core.tasks.send_emails", payload)
