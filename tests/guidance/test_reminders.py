"""Review-by reminders e-mailed to guidance owners, with a frozen clock."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from portal.guidance.models import GuidancePage
from portal.guidance.services import send_review_reminders
from portal.guidance.tasks import send_review_reminders_task

FROZEN = dt.datetime(2008, 4, 10, 9, 0, tzinfo=dt.timezone.utc)  # the Chilford Hall workshop


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run the e-mails queued for after commit, as a real request or task would."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def test_owner_is_reminded_when_review_date_is_within_two_weeks(make_guidance, sha_editor, after_commit):
    make_guidance(title="World Class Commissioning", content_owner=sha_editor.user, review_by=dt.date(2008, 4, 20))

    with time_machine.travel(FROZEN, tick=False):
        summary = after_commit(send_review_reminders)

    assert summary.emails == 1
    assert mail.outbox[0].to == [sha_editor.user.email]
    assert "World Class Commissioning" in mail.outbox[0].subject
    assert "20 April 2008" in mail.outbox[0].body


def test_overdue_guidance_is_marked_overdue(make_guidance, sha_editor, after_commit):
    make_guidance(title="PbC responsibilities", content_owner=sha_editor.user, review_by=dt.date(2008, 3, 1))

    with time_machine.travel(FROZEN, tick=False):
        after_commit(send_review_reminders)

    assert "(overdue)" in mail.outbox[0].body


def test_no_reminder_while_review_date_is_far_off(make_guidance, sha_editor, after_commit):
    make_guidance(content_owner=sha_editor.user, review_by=dt.date(2008, 6, 1))

    with time_machine.travel(FROZEN, tick=False):
        summary = after_commit(send_review_reminders)

    assert summary.emails == 0
    assert mail.outbox == []


def test_each_review_date_is_reminded_once(make_guidance, sha_editor, after_commit):
    make_guidance(content_owner=sha_editor.user, review_by=dt.date(2008, 4, 20))

    with time_machine.travel(FROZEN, tick=False):
        after_commit(send_review_reminders)
    with time_machine.travel(FROZEN + dt.timedelta(days=1), tick=False):
        after_commit(send_review_reminders)

    assert len(mail.outbox) == 1


def test_a_new_review_date_is_reminded_again(make_guidance, sha_editor, after_commit):
    page = make_guidance(content_owner=sha_editor.user, review_by=dt.date(2008, 4, 20))
    with time_machine.travel(FROZEN, tick=False):
        after_commit(send_review_reminders)
    GuidancePage.objects.filter(pk=page.pk).update(review_by=dt.date(2008, 10, 20))

    with time_machine.travel(dt.datetime(2008, 10, 10, 9, 0, tzinfo=dt.timezone.utc), tick=False):
        after_commit(send_review_reminders)

    assert len(mail.outbox) == 2


def test_one_email_per_owner_lists_all_their_guidance(make_guidance, sha_editor, second_sha_editor, after_commit):
    make_guidance(title="First", content_owner=sha_editor.user, review_by=dt.date(2008, 4, 12))
    make_guidance(title="Second", content_owner=sha_editor.user, review_by=dt.date(2008, 4, 15))
    make_guidance(title="Third", content_owner=second_sha_editor.user, review_by=dt.date(2008, 4, 15))

    with time_machine.travel(FROZEN, tick=False):
        after_commit(send_review_reminders)

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert "2 pieces of guidance" in by_recipient[sha_editor.user.email].subject
    assert "First" in by_recipient[sha_editor.user.email].body and "Second" in by_recipient[sha_editor.user.email].body


def test_page_owner_is_reminded_when_no_content_owner_is_set(make_guidance, sha_editor, after_commit):
    make_guidance(author=sha_editor.user, review_by=dt.date(2008, 4, 12))

    with time_machine.travel(FROZEN, tick=False):
        after_commit(send_review_reminders)

    assert mail.outbox[0].to == [sha_editor.user.email]


def test_draft_guidance_gets_no_reminder(make_guidance, sha_editor, after_commit):
    make_guidance(live=False, content_owner=sha_editor.user, review_by=dt.date(2008, 4, 12))

    with time_machine.travel(FROZEN, tick=False):
        after_commit(send_review_reminders)

    assert mail.outbox == []


def test_command_sends_reminders(make_guidance, sha_editor, capsys, after_commit):
    make_guidance(content_owner=sha_editor.user, review_by=dt.date(2008, 4, 12))

    with time_machine.travel(FROZEN, tick=False):
        after_commit(call_command, "send_review_reminders")

    assert len(mail.outbox) == 1
    assert "Sent 1 reminder" in capsys.readouterr().out


def test_background_task_sends_reminders(make_guidance, sha_editor, after_commit):
    make_guidance(content_owner=sha_editor.user, review_by=dt.date(2008, 4, 12))

    with time_machine.travel(FROZEN, tick=False):
        result = after_commit(send_review_reminders_task.enqueue)

    assert result.return_value == 1
    assert len(mail.outbox) == 1
