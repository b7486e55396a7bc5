"""A stand-in mail server for the task-worker tests, used by worker subprocesses (``tests.queue_settings``).

It writes one line per accepted e-mail to ``$QUEUE_TEST_DIR/ledger`` (the
test reads who got what), and can misbehave the way real mail servers do:

- ``$QUEUE_TEST_DIR/fail-next``: the next send is refused (an SMTP error), once;
- ``$QUEUE_TEST_DIR/hang-at`` holding a number N: the send that would be the
  (N+1)th e-mail hangs, after writing its process id to ``hanging`` (the
  test then kills the worker); it hangs once;
- ``$QUEUE_TEST_DIR/slow`` holding a number of seconds: the first send takes
  that long (after writing its process id to ``sending``), once.

Each ledger line also names the process that sent the e-mail.
"""
from __future__ import annotations

import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class LedgerEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(os.environ["QUEUE_TEST_DIR"])
        ledger = folder / "ledger"
        for message in email_messages:
            fail = folder / "fail-next"
            if fail.exists():
                fail.unlink()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            hang_at, hanging = folder / "hang-at", folder / "hanging"
            accepted = len(ledger.read_text().splitlines()) if ledger.exists() else 0
            if hang_at.exists() and not hanging.exists() and accepted == int(hang_at.read_text()):
                hanging.write_text(str(os.getpid()))
                time.sleep(600)
            slow, sending = folder / "slow", folder / "sending"
            if slow.exists() and not sending.exists():
                sending.write_text(str(os.getpid()))
                time.sleep(float(slow.read_text()))
            with ledger.open("a") as file:
                for recipient in message.to:
                    file.write(f"{recipient}\t{message.subject}\t{os.getpid()}\n")
        return len(email_messages)
