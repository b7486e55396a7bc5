"""A newline in a thread title must not stop the notification and escalation e-mails (issue 21, finding 14)."""
from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from forum import services
from forum.models import Board, Subsection, Thread

pytestmark = pytest.mark.django_db

TITLE_WITH_HEADER = "Procurement guide\r\nBcc: everyone@example.com"


@pytest.fixture
def board(db):
    return Board.objects.create(subsection=Subsection.objects.create(name="Management"), name="Commissioning and contracts")


@pytest.fixture
def sha_board(db):
    return Board.objects.create(subsection=Subsection.objects.create(name="Ask the SHA"), name="Questions for the SHA", is_sha_board=True)


def test_title_posted_with_a_newline_is_stored_on_one_line_and_watchers_are_emailed(
        client_for, member, other_org_member, board, django_capture_on_commit_callbacks):
    services.subscribe(other_org_member, board=board)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(reverse("forum:new_thread", args=[board.slug]),
                                           {"title": TITLE_WITH_HEADER, "body": "Has anyone seen the draft?"})

    assert response.status_code == 302
    assert Thread.objects.get().title == "Procurement guide Bcc: everyone@example.com"
    assert [m.to for m in mail.outbox] == [[other_org_member.user.email]]
    assert "\n" not in mail.outbox[0].subject and mail.outbox[0].bcc == []


def test_question_to_the_sha_with_a_newline_in_its_title_reaches_sha_staff(
        client_for, member, sha_editor, sha_board, django_capture_on_commit_callbacks):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(reverse("forum:new_thread", args=[sha_board.slug]), {"title": TITLE_WITH_HEADER, "body": "?"})

    assert [m.to for m in mail.outbox] == [[sha_editor.user.email]]
    assert mail.outbox[0].subject.endswith("Question referred to the SHA: Procurement guide Bcc: everyone@example.com")


def test_editing_a_title_to_add_a_newline_keeps_it_on_one_line(member, board):
    thread = services.post_thread(member, board, title="Procurement guide", body="?")

    services.edit_post(member, thread, body="?", title="Procurement\nguide")

    thread.refresh_from_db()
    assert thread.title == "Procurement guide"


def test_reply_email_goes_for_a_title_stored_with_a_newline_before_titles_were_normalised(
        member, other_org_member, board, django_capture_on_commit_callbacks):
    thread = services.post_thread(member, board, title="Procurement guide", body="?")
    Thread.objects.filter(pk=thread.pk).update(title=TITLE_WITH_HEADER)  # as older rows may hold
    thread.refresh_from_db()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(other_org_member, thread, body="It is out in May.")

    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert mail.outbox[0].subject.endswith("New reply: Procurement guide Bcc: everyone@example.com")
