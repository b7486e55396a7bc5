"""From answer to guidance: an SHA editor turns an accepted answer into a draft that links back to the thread."""
from __future__ import annotations

import pytest

from portal.core.models import AuditEvent
from portal.guidance.models import GuidancePage
from portal.guidance.services import DraftRefused, draft_guidance_from_answer, review_guidance, submit_guidance


@pytest.fixture
def answered(member, other_org_member, service_areas):
    from forum.models import Board, Subsection
    from forum.services import accept_answer, post_reply, post_thread

    board = Board.objects.create(subsection=Subsection.objects.create(name="Management", position=1), name="Commissioning")
    thread = post_thread(member, board, title="Can freed-up resources pay for a practice nurse?",
                         body="Our PCT says no.", service_areas=[service_areas["Prescribing"]])
    reply = post_reply(other_org_member, thread, body="Yes: **70%** may be reinvested in patient care. <script>alert(1)</script>")
    accept_answer(member, reply)
    thread.refresh_from_db()
    return thread


def test_sha_editor_makes_a_draft_that_quotes_the_answer_and_links_back(guidance_index, sha_editor, answered):
    page = draft_guidance_from_answer(answered, sha_editor.user)

    page = GuidancePage.objects.get(pk=page.pk)
    body = str(page.body)
    assert not page.live and page.source_thread == answered
    assert page.get_parent().specific == guidance_index
    assert answered.get_absolute_url() in body
    assert "<b>70%</b>" in body or "<strong>70%</strong>" in body
    assert "<script>" not in body
    assert list(page.topics.values_list("name", flat=True)) == ["Prescribing"]


def test_the_draft_is_recorded_in_the_audit_trail(guidance_index, sha_editor, answered):
    page = draft_guidance_from_answer(answered, sha_editor.user)

    event = AuditEvent.objects.get(action="portal.guidance.drafted_from_answer")
    assert event.actor == sha_editor.user and event.target_id == str(page.pk)


def test_a_member_who_is_not_an_sha_editor_cannot_draft_guidance(guidance_index, member, answered):
    with pytest.raises(DraftRefused):
        draft_guidance_from_answer(answered, member.user)

    assert not GuidancePage.objects.filter(source_thread=answered).exists()


def test_a_question_without_an_accepted_answer_cannot_become_guidance(guidance_index, sha_editor, member, answered):
    from forum.services import post_thread

    thread = post_thread(member, answered.board, title="Unanswered", body="Anyone?")

    with pytest.raises(DraftRefused):
        draft_guidance_from_answer(thread, sha_editor.user)


def test_the_same_answer_is_not_drafted_twice(guidance_index, sha_editor, answered):
    draft_guidance_from_answer(answered, sha_editor.user)

    with pytest.raises(DraftRefused):
        draft_guidance_from_answer(answered, sha_editor.user)


def test_the_view_refuses_members_who_are_not_sha_editors(client_for, guidance_index, member, answered):
    response = client_for(member).post(f"/forum/threads/{answered.pk}/guidance/")

    assert response.status_code == 403 and not GuidancePage.objects.exists()


def test_the_view_opens_the_draft_in_the_admin_for_the_sha_editor(client_for, guidance_index, sha_editor, answered):
    response = client_for(sha_editor).post(f"/forum/threads/{answered.pk}/guidance/")

    page = GuidancePage.objects.get(source_thread=answered)
    assert response.status_code == 302 and response["Location"] == f"/admin/pages/{page.pk}/edit/"


def test_only_sha_editors_see_the_button_and_the_draft(client_for, guidance_index, sha_editor, member, answered):
    assert "Turn the accepted answer into draft guidance" in client_for(sha_editor).get(answered.get_absolute_url()).content.decode()
    assert "Turn the accepted answer into draft guidance" not in client_for(member).get(answered.get_absolute_url()).content.decode()

    draft_guidance_from_answer(answered, sha_editor.user)

    assert "Being turned into guidance" in client_for(sha_editor).get(answered.get_absolute_url()).content.decode()
    member_view = client_for(member).get(answered.get_absolute_url()).content.decode()
    assert "turned into guidance" not in member_view.lower()


def test_thread_shows_turned_into_guidance_once_published(client_for, guidance_index, sha_editor, second_sha_editor, member, answered):
    page = draft_guidance_from_answer(answered, sha_editor.user)
    submit_guidance(page, sha_editor.user)
    review_guidance(GuidancePage.objects.get(pk=page.pk), second_sha_editor.user, "approve")

    html = client_for(member).get(answered.get_absolute_url()).content.decode()

    assert "Turned into guidance" in html and GuidancePage.objects.get(pk=page.pk).url in html
