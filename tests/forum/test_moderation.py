"""Moderators can show a hidden post again, see what was hidden, and read their log in plain English (issue 20, item 6)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from forum import services
from forum.models import ModerationAction, Thread
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_unhiding_a_reply_shows_it_to_members_again(client_for, member, other_org_member, moderator, thread):
    reply = services.post_reply(other_org_member, thread, body="The draft is due in May.")
    services.hide_post(moderator, reply, reason="Checking")

    response = client_for(moderator).post(reverse("forum:unhide_reply", args=[reply.pk]), {"reason": "Checked: it is fine"})

    assert response.status_code == 302
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert not reply.is_hidden and thread.reply_count == 1
    assert "The draft is due in May." in client_for(member).get(thread.get_absolute_url()).content.decode()


def test_unhiding_a_reply_is_audited(moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="The draft is due in May.")
    services.hide_post(moderator, reply)

    services.unhide_post(moderator, reply, reason="A mistake")

    event = AuditEvent.objects.get(action="forum.reply.unhidden")
    assert (event.actor, event.description, event.detail) == (moderator.user, "Reply shown again", {"reply": reply.pk, "note": "A mistake"})
    assert ModerationAction.objects.filter(action="forum.reply.unhidden", actor=moderator, reply=reply).exists()


def test_unhiding_a_thread_puts_it_back_for_members(client_for, member, other_org_member, moderator, thread):
    services.hide_post(moderator, thread)
    assert client_for(other_org_member).get(thread.get_absolute_url()).status_code == 404

    response = client_for(moderator).post(reverse("forum:moderate_thread", args=[thread.pk, "unhide"]))

    assert response.status_code == 302 and not Thread.objects.get(pk=thread.pk).is_hidden
    assert client_for(other_org_member).get(thread.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.get(action="forum.thread.unhidden").actor == moderator.user


def test_members_cannot_unhide_a_reply(client_for, member, other_org_member, moderator, thread):
    reply = services.post_reply(other_org_member, thread, body="Rude")
    services.hide_post(moderator, reply)

    assert client_for(other_org_member).post(reverse("forum:unhide_reply", args=[reply.pk])).status_code == 403

    reply.refresh_from_db()
    assert reply.is_hidden


def test_moderators_see_a_hidden_replys_text_marked_as_hidden(client_for, moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Mrs Example was seen on Tuesday")
    services.hide_post(moderator, reply)

    page = client_for(moderator).get(thread.get_absolute_url()).content.decode()

    assert "Mrs Example was seen on Tuesday" in page
    assert "Hidden by a moderator: only moderators can see this reply." in page
    assert reverse("forum:unhide_reply", args=[reply.pk]) in page


def test_members_do_not_see_a_hidden_replys_text(client_for, member, moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Mrs Example was seen on Tuesday")
    services.hide_post(moderator, reply)
    client_for(moderator).get(thread.get_absolute_url())  # the moderator's copy is cached first

    page = client_for(member).get(thread.get_absolute_url()).content.decode()

    assert "Mrs Example was seen on Tuesday" not in page and "This reply has been hidden by a moderator." in page
    assert reverse("forum:unhide_reply", args=[reply.pk]) not in page


def test_moderation_log_is_in_plain_english(client_for, member, other_org_member, moderator, thread):
    reply = services.post_reply(other_org_member, thread, body="May 2008")
    services.accept_answer(member, reply)
    services.lock_thread(moderator, thread)

    page = client_for(moderator).get(reverse("forum:queue")).content.decode()

    assert "Answer accepted" in page and "Thread locked" in page
    assert "forum.answer.accepted" not in page and "forum.thread.locked" not in page


def test_audit_trail_shows_forum_actions_in_plain_english(client_for, network_admin, moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Rude")
    services.hide_post(moderator, reply, reason="Rude")

    page = client_for(network_admin).get(reverse("audit_trail")).content.decode()

    assert "Reply hidden" in page
    assert "forum.reply.hidden" not in page.replace('value="forum.reply.hidden"', "")
