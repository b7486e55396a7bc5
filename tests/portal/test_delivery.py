"""``send_once``: each keyed e-mail goes once, however often the task that sends it runs."""
from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from portal.core.tasks import send_emails
from portal.core.delivery import send_once
from portal.core.models import SentEmail

pytestmark = pytest.mark.django_db


def message(to: str = "member@pbc-network.nhs.uk") -> EmailMessage:
    return EmailMessage("Weekly digest", "New threads on your boards.", to=[to])


def test_send_once_sends_an_email_and_records_its_key():
    assert send_once("digest:1:m1", message()) is True

    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(key="digest:1:m1").exists()


def test_send_once_skips_a_key_already_sent():
    send_once("digest:1:m1", message())

    assert send_once("digest:1:m1", message()) is False
    assert len(mail.outbox) == 1


def test_send_once_records_nothing_when_the_mail_server_refuses_so_a_retry_sends_it(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with pytest.raises((OSError, smtplib.SMTPException)):
        send_once("digest:1:m1", message())
    assert not SentEmail.objects.filter(key="digest:1:m1").exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_once("digest:1:m1", message()) is True
    assert len(mail.outbox) == 1


def test_email_task_run_twice_sends_each_email_once():
    payload = [["New reply", "A reply.", f"m{n}@pbc-network.nhs.uk", f"forum.reply:t1:r1:m{n}"] for n in range(3)]

    assert send_emails.call(payload) == 3
    assert send_emails.call(payload) == 0
    assert sorted(m.to[0] for m in mail.outbox) == [f"m{n}@pbc-network.nhs.uk" for n in range(3)]
