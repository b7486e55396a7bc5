"""Unanswered questions are referred to SHA staff after FORUM_ESCALATION_WORKING_DAYS working days (frozen clock)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from forum import services
from forum.models import ModerationAction
from portal.core.notifications import Notification

LONDON = ZoneInfo("Europe/London")
# Friday 11 April 2008, 10:00: the day after the Chilford Hall workshop.
FRIDAY = datetime(2008, 4, 11, 10, 0, tzinfo=LONDON)


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2008, 4, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def friday_question(member, board):
    with time_machine.travel(FRIDAY, tick=False):
        return services.post_thread(member, board, title="How do we uncouple the provider arm?", body="Any examples?")


def test_working_days_skip_the_weekend():
    assert services.add_working_days(FRIDAY, 1) == at(14)
    assert services.add_working_days(FRIDAY, 3) == at(16)
    assert services.add_working_days(at(12), 1) == at(14)  # Saturday → Monday


def test_not_referred_before_three_working_days(friday_question, sha_editor):
    # Monday 14 and Tuesday 15 are only one and two working days on; Wednesday 09:59 is a minute short.
    for moment in (at(14), at(15), at(16, 9, 59)):
        with time_machine.travel(moment, tick=False):
            assert services.escalate_unanswered() == []
    friday_question.refresh_from_db()
    assert friday_question.escalated_at is None


def test_referred_after_three_working_days_and_sha_told(friday_question, sha_editor, member, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with time_machine.travel(at(16, 10, 1), tick=False), django_capture_on_commit_callbacks(execute=True):
        escalated = services.escalate_unanswered()
    assert escalated == [friday_question]
    friday_question.refresh_from_db()
    assert friday_question.escalated_at == at(16, 10, 1)
    assert Notification.objects.filter(member=sha_editor, kind="escalated", thread=friday_question).exists()
    assert not Notification.objects.filter(member=member, kind="escalated").exists()
    assert [sha_editor.user.email] in [m.to for m in mail.outbox]
    action = ModerationAction.objects.get(action="forum.thread.escalated")
    assert action.actor is None


def test_referred_only_once(friday_question, sha_editor):
    with time_machine.travel(at(16, 11), tick=False):
        assert len(services.escalate_unanswered()) == 1
    with time_machine.travel(at(17, 11), tick=False):
        assert services.escalate_unanswered() == []
    assert Notification.objects.filter(kind="escalated").count() == 1


def test_answered_question_is_not_referred(friday_question, other_org_member, sha_editor):
    with time_machine.travel(at(14), tick=False):
        services.post_reply(other_org_member, friday_question, body="We did it in Tendring.")
    with time_machine.travel(at(18), tick=False):
        assert services.escalate_unanswered() == []


def test_askers_own_follow_up_does_not_count_as_an_answer(friday_question, member, sha_editor):
    with time_machine.travel(at(14), tick=False):
        services.post_reply(member, friday_question, body="Bump: anyone?")
    with time_machine.travel(at(16, 10, 1), tick=False):
        assert services.escalate_unanswered() == [friday_question]


def test_working_days_come_from_the_setting(friday_question, sha_editor, settings):
    settings.FORUM_ESCALATION_WORKING_DAYS = 1
    with time_machine.travel(at(14, 10, 1), tick=False):
        assert services.escalate_unanswered() == [friday_question]


def test_referred_thread_page_says_so(friday_question, member, client_for):
    with time_machine.travel(at(16, 11), tick=False):
        services.escalate_unanswered()
    response = client_for(member).get(friday_question.get_absolute_url())
    assert "Referred to the SHA" in response.content.decode()


def test_sha_reply_on_referred_thread_is_badged_on_the_page(friday_question, sha_editor, member, client_for):
    with time_machine.travel(at(16, 11), tick=False):
        services.escalate_unanswered()
        services.post_reply(sha_editor, friday_question, body="All PCT provider arms move to arm's length by end of April.")
    response = client_for(member).get(friday_question.get_absolute_url())
    assert "SHA staff</strong>" in response.content.decode()


def test_escalate_command_reports_what_it_did(friday_question, sha_editor):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(at(16, 11), tick=False):
        call_command("forum_escalate", stdout=out)
    assert "Referred 1 question to the SHA." in out.getvalue()
