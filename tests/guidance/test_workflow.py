"""Review and approval: an SHA editor drafts, a second SHA editor approves, then it goes live (or is scheduled)."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.guidance import services
from portal.guidance.models import GuidancePage


@pytest.fixture
def draft(make_guidance, sha_editor):
    return make_guidance(title="Freed-up resources and incentive schemes", live=False, author=sha_editor.user)


def test_sha_editor_cannot_publish_guidance_directly(draft, sha_editor):
    assert not draft.permissions_for_user(sha_editor.user).can_publish()


def test_submitted_draft_waits_for_review_and_is_not_live(draft, sha_editor):
    services.submit_guidance(draft, sha_editor.user)

    draft.refresh_from_db()
    assert draft.workflow_in_progress
    assert not draft.live


def test_second_sha_editor_approval_publishes_guidance(draft, sha_editor, second_sha_editor):
    services.submit_guidance(draft, sha_editor.user)

    services.review_guidance(draft, second_sha_editor.user, "approve")

    draft.refresh_from_db()
    assert draft.live
    assert not draft.workflow_in_progress


def test_editor_cannot_approve_own_draft(draft, sha_editor):
    services.submit_guidance(draft, sha_editor.user)

    with pytest.raises(services.ReviewRefused) as refusal:
        services.review_guidance(draft, sha_editor.user, "approve")

    assert "own draft" in refusal.value.user_message
    draft.refresh_from_db()
    assert not draft.live
    assert draft.workflow_in_progress


def test_editor_cannot_approve_a_draft_someone_else_submitted_for_them(draft, sha_editor, second_sha_editor):
    # The second editor submits the first editor's revision; the first editor still cannot approve it.
    services.submit_guidance(draft, second_sha_editor.user)

    with pytest.raises(services.ReviewRefused):
        services.review_guidance(draft, sha_editor.user, "approve")
    with pytest.raises(services.ReviewRefused):
        services.review_guidance(draft, second_sha_editor.user, "approve")


def test_own_draft_offers_no_approve_action(draft, sha_editor, second_sha_editor):
    services.submit_guidance(draft, sha_editor.user)
    draft.refresh_from_db()
    task = draft.current_workflow_task

    assert task.get_actions(draft, sha_editor.user) == []
    assert "approve" in {name for name, _label, _modal in task.get_actions(draft, second_sha_editor.user)}


def test_task_refuses_forged_approval_by_the_author(draft, sha_editor):
    from django.core.exceptions import PermissionDenied

    services.submit_guidance(draft, sha_editor.user)
    draft.refresh_from_db()

    with pytest.raises(PermissionDenied):
        draft.current_workflow_task.on_action(draft.current_workflow_task_state, sha_editor.user, "approve")
    draft.refresh_from_db()
    assert not draft.live


def test_admin_workflow_action_refuses_the_author(draft, sha_editor, client_for):
    services.submit_guidance(draft, sha_editor.user)
    draft.refresh_from_db()
    url = reverse("wagtailadmin_pages:workflow_action", args=[draft.pk, "approve", draft.current_workflow_task_state.pk])

    response = client_for(sha_editor).post(url)

    # Wagtail's admin turns PermissionDenied into a redirect with "Sorry, you do not have permission".
    assert response.status_code in (302, 403)
    draft.refresh_from_db()
    assert not draft.live
    assert draft.current_workflow_task_state.status == "in_progress"


def test_admin_workflow_action_lets_a_second_editor_approve(draft, sha_editor, second_sha_editor, client_for):
    services.submit_guidance(draft, sha_editor.user)
    draft.refresh_from_db()
    url = reverse("wagtailadmin_pages:workflow_action", args=[draft.pk, "approve", draft.current_workflow_task_state.pk])

    client_for(second_sha_editor).post(url)

    draft.refresh_from_db()
    assert draft.live


def test_member_without_editor_role_cannot_approve(draft, sha_editor, member):
    services.submit_guidance(draft, sha_editor.user)

    with pytest.raises(services.ReviewRefused):
        services.review_guidance(draft, member.user, "approve")


def test_request_changes_sends_draft_back(draft, sha_editor, second_sha_editor):
    services.submit_guidance(draft, sha_editor.user)

    services.review_guidance(draft, second_sha_editor.user, "reject", comment="Add the 70% reinvestment rule.")

    draft.refresh_from_db()
    assert not draft.live
    assert draft.current_workflow_state.status == "needs_changes"


def test_approved_guidance_with_future_go_live_is_scheduled_then_published(make_guidance, sha_editor, second_sha_editor):
    go_live = timezone.now() + dt.timedelta(days=3)
    page = make_guidance(title="World Class Commissioning", live=False, author=sha_editor.user)
    page.go_live_at = go_live
    page.save_revision(user=sha_editor.user)
    services.submit_guidance(page, sha_editor.user)

    services.review_guidance(page, second_sha_editor.user, "approve")

    page.refresh_from_db()
    assert not page.live
    assert page.get_latest_revision().approved_go_live_at is not None

    with time_machine.travel(go_live - dt.timedelta(hours=1), tick=False):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live

    with time_machine.travel(go_live + dt.timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert GuidancePage.objects.live().filter(pk=page.pk).exists()


def test_own_draft_is_not_in_the_authors_review_list(draft, sha_editor, second_sha_editor):
    services.submit_guidance(draft, sha_editor.user)
    draft.refresh_from_db()
    task = draft.current_workflow_task

    assert not task.get_task_states_user_can_moderate(sha_editor.user).exists()
    assert task.get_task_states_user_can_moderate(second_sha_editor.user).count() == 1
