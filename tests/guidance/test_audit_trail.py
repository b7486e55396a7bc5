"""Guidance review and publication go on the audit trail, with the SHA editor who acted."""
from __future__ import annotations

import pytest

from portal.core.models import AuditEvent
from portal.guidance import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_guidance, sha_editor):
    return make_guidance(title="Freed-up resources and incentive schemes", live=False, author=sha_editor.user)


def test_approving_guidance_is_recorded_with_the_reviewer(draft, sha_editor, second_sha_editor):
    services.submit_guidance(draft, sha_editor.user)

    services.review_guidance(draft, second_sha_editor.user, "approve", comment="Clear and accurate")

    event = AuditEvent.objects.get(action="portal.guidancepage.approved")
    assert event.actor == second_sha_editor.user
    assert (event.target_type, event.target_id, event.target_label) == ("portal.guidancepage", str(draft.pk), draft.title)
    assert event.detail["comment"] == "Clear and accurate"


def test_approval_that_publishes_guidance_records_the_publication(draft, sha_editor, second_sha_editor):
    services.submit_guidance(draft, sha_editor.user)

    services.review_guidance(draft, second_sha_editor.user, "approve")

    event = AuditEvent.objects.get(action="portal.guidancepage.published")
    assert event.actor == second_sha_editor.user
    assert event.description == "Guidance page published"


def test_sending_guidance_back_for_changes_is_recorded(draft, sha_editor, second_sha_editor):
    services.submit_guidance(draft, sha_editor.user)

    services.review_guidance(draft, second_sha_editor.user, "reject", comment="Add the funding table")

    event = AuditEvent.objects.get(action="portal.guidancepage.changes_requested")
    assert event.actor == second_sha_editor.user


def test_unpublishing_guidance_is_recorded(make_guidance, network_admin):
    page = make_guidance(title="Practice-based commissioning: budget setting")

    page.unpublish(user=network_admin.user)

    event = AuditEvent.objects.get(action="portal.guidancepage.unpublished")
    assert (event.actor, event.target_id) == (network_admin.user, str(page.pk))
