"""Directory e-mails (approval, decline, invitation, new member waiting) go through the queued e-mail task, once per key."""
from __future__ import annotations

import pytest
from django.core import mail
from django_tasks.signals import task_enqueued

from directory import services
from portal.core.models import SentEmail
from portal.core.tasks import send_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_emails():
    """The e-mail payloads handed to ``send_emails`` (to run them again, as a retry would)."""
    payloads = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "send_emails":
            payloads.append(task_result.args[0])

    task_enqueued.connect(record)
    yield payloads
    task_enqueued.disconnect(record)


def test_approval_email_is_queued_and_a_retry_sends_it_no_second_time(network_admin, make_member, queued_emails,
                                                                        django_capture_on_commit_callbacks):
    waiting = make_member(status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_member(waiting, by=network_admin.user)

    (payload,) = queued_emails
    assert send_emails.call(payload) == 0
    assert [m.to for m in mail.outbox] == [[waiting.user.email]]
    assert SentEmail.objects.filter(key__startswith=f"directory.member.approved:{waiting.pk}:").exists()


def test_decline_email_is_sent_once_under_its_key(network_admin, make_member, queued_emails, django_capture_on_commit_callbacks):
    waiting = make_member(status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_member(waiting, by=network_admin.user, reason="Not part of the region")

    assert send_emails.call(queued_emails[0]) == 0
    assert len(mail.outbox) == 1
    assert "Not part of the region" in mail.outbox[0].body


def test_invitation_email_is_sent_once_under_its_key(network_admin, queued_emails, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member("new.person@suffolk-pharmacy.example", by=network_admin.user)

    assert send_emails.call(queued_emails[0]) == 0
    assert [m.to for m in mail.outbox] == [["new.person@suffolk-pharmacy.example"]]
    assert SentEmail.objects.filter(key=f"directory.invitation:{invitation.pk}").exists()


def test_nothing_is_queued_when_the_operation_rolls_back(network_admin, make_member, queued_emails):
    from django.db import transaction

    waiting = make_member(status="pending")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve_member(waiting, by=network_admin.user)
        raise RuntimeError("the request failed after approving")

    assert queued_emails == []
    assert mail.outbox == []
