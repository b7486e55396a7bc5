"""Hidden or redacted text must not stay readable in a post's edit history (issue 21, finding 5).

Over HTTP as the attacker met it: a member opening ``/forum/posts/reply/<id>/history/``.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from forum import services
from forum.models import Board, PostRevision, Subsection
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PATIENT_TEXT = "Mrs Example, NHS number 943 476 5919, was seen on Tuesday"


@pytest.fixture
def thread(member):
    board = Board.objects.create(subsection=Subsection.objects.create(name="Clinical"), name="Clinical pathways")
    return services.post_thread(member, board, title="Dermatology referrals", body="Who triages them?")


@pytest.fixture
def edited_reply(other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body=PATIENT_TEXT)
    services.edit_post(other_org_member, reply, body="A patient was seen on Tuesday")
    return reply


def _history(reply) -> str:
    return reverse("forum:history", args=["reply", reply.pk])


def test_members_cannot_read_the_history_of_a_hidden_reply(client_for, member, moderator, edited_reply):
    services.hide_post(moderator, edited_reply, reason="Patient details")

    response = client_for(member).get(_history(edited_reply))

    assert response.status_code == 404
    assert PATIENT_TEXT not in response.content.decode()


def test_the_author_cannot_read_the_history_of_their_hidden_reply(client_for, other_org_member, moderator, edited_reply):
    services.hide_post(moderator, edited_reply)

    assert client_for(other_org_member).get(_history(edited_reply)).status_code == 404


def test_moderators_can_read_the_history_of_a_hidden_reply(client_for, moderator, edited_reply):
    services.hide_post(moderator, edited_reply)

    response = client_for(moderator).get(_history(edited_reply))

    assert response.status_code == 200 and PATIENT_TEXT in response.content.decode()


def test_members_cannot_read_the_history_of_a_hidden_thread(client_for, member, other_org_member, moderator, thread):
    services.edit_post(member, thread, body=PATIENT_TEXT)
    services.edit_post(member, thread, body="Who triages them?")
    services.hide_post(moderator, thread)

    response = client_for(other_org_member).get(reverse("forum:history", args=["thread", thread.pk]))

    assert response.status_code == 404


def test_redacted_version_is_gone_from_the_history_for_everyone(client_for, member, moderator, edited_reply):
    revision = PostRevision.objects.get(reply=edited_reply)

    response = client_for(moderator).post(reverse("forum:redact_revision", args=[revision.pk]), {"reason": "Patient details"})

    assert response.status_code == 302
    revision.refresh_from_db()
    assert (revision.body, revision.redacted_by) == ("", moderator)
    for person in (member, moderator):
        page = client_for(person).get(_history(edited_reply)).content.decode()
        assert PATIENT_TEXT not in page and "Redacted by Judith Oakley" in page
    event = AuditEvent.objects.get(action="forum.revision.redacted")
    assert event.actor == moderator.user and PATIENT_TEXT not in str(event.detail)


def test_members_cannot_redact_a_version(client_for, member, other_org_member, edited_reply):
    revision = PostRevision.objects.get(reply=edited_reply)

    for person in (member, other_org_member):
        assert client_for(person).post(reverse("forum:redact_revision", args=[revision.pk])).status_code == 403

    revision.refresh_from_db()
    assert revision.body == PATIENT_TEXT and revision.redacted_at is None
