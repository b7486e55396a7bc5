"""Moderators' actions go on the audit trail as well as the forum's moderation log."""
from __future__ import annotations

import pytest

from forum import services
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_hiding_a_reply_is_recorded_with_the_moderator_and_thread(moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Buy cheap watches")

    services.hide_post(moderator, reply, reason="Spam")

    event = AuditEvent.objects.get(action="forum.reply.hidden")
    assert event.actor == moderator.user
    assert (event.target_type, event.target_id) == ("forum.thread", str(thread.pk))
    assert event.detail == {"reply": reply.pk, "note": "Spam"}


def test_hiding_a_thread_is_recorded(moderator, thread):
    services.hide_post(moderator, thread, reason="Duplicate")

    assert AuditEvent.objects.get(action="forum.thread.hidden").actor == moderator.user


def test_locking_pinning_and_moving_are_recorded(moderator, thread, boards):
    services.lock_thread(moderator, thread)
    services.pin_thread(moderator, thread)
    services.move_thread(moderator, thread, boards["clinical"])

    actions = set(AuditEvent.objects.filter(actor=moderator.user).values_list("action", flat=True))
    assert actions == {"forum.thread.locked", "forum.thread.pinned", "forum.thread.moved"}
    assert AuditEvent.objects.get(action="forum.thread.moved").detail["note"] == "From Commissioning and contracts to Clinical pathways"


def test_dismissing_a_report_is_recorded(member, moderator, thread):
    report = services.report_post(member, thread, reason="Wrong board")

    services.dismiss_report(moderator, report, note="It is in the right place")

    event = AuditEvent.objects.get(action="forum.report.dismissed")
    assert (event.actor, event.target_id) == (moderator.user, str(thread.pk))


def test_members_editing_their_own_posts_are_not_on_the_trail(member, thread):
    services.edit_post(member, thread, body="Edited: has anyone seen a draft?")

    assert not AuditEvent.objects.filter(action__startswith="forum.").exists()
