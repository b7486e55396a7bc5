"""A mail server that hangs up part-way through a send, standing in for a real SMTP failure."""
from __future__ import annotations

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class HangsUpAfter(EmailBackend):
    """Accept ``limit`` messages into ``mail.outbox`` in total, then refuse every message."""

    limit = 3

    def send_messages(self, messages):
        if len(mail.outbox) >= self.limit:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
