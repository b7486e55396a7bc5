"""Guidance goes live only as a revision a second SHA editor approved, whoever publishes it (issue 21, finding 6).

One network administrator could create and publish guidance with no SHA editor involved: Wagtail's
create and edit views publish with the administrator's page permissions.  Publication of guidance now
requires a completed two-editor approval of that revision whatever the user's page permissions,
superseding included; publication stays in the audit trail.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from portal.guidance import services
from portal.core.models import AuditEvent
from portal.guidance.models import GuidancePage


def draft_by(index, user, title="Freed-up resources and incentive schemes") -> GuidancePage:
    page = GuidancePage(title=title, summary="At least 70% of freed-up resources can be reinvested.", audience="public", live=False)
    index.add_child(instance=page)
    page.save_revision(user=user)
    return GuidancePage.objects.get(pk=page.pk)


def form(title: str, slug: str, action: str = "action-publish", **fields) -> dict:
    return {
        "title": title, "slug": slug, "summary": "At least 70% of freed-up resources can be reinvested in patient care.",
        "body-count": "0", "change_note": "", "audience": "public", "content_owner": "", "review_by": "2027-04-01",
        "superseded_by": "", "comments-TOTAL_FORMS": "0", "comments-INITIAL_FORMS": "0", "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000", action: "Publish", **fields,
    }


def approve(page, author, reviewer) -> GuidancePage:
    services.submit_guidance(page, author.user)
    services.review_guidance(page, reviewer.user, "approve")
    return GuidancePage.objects.get(pk=page.pk)


def test_network_administrator_cannot_create_and_publish_guidance_in_the_admin(client_for, network_admin, guidance_index):
    url = reverse("wagtailadmin_pages:add", args=["portal", "guidancepage", guidance_index.pk])

    client_for(network_admin).post(url, form("Indicative budgets 2009/10", "indicative-budgets"))

    assert not GuidancePage.objects.filter(slug="indicative-budgets", live=True).exists()
    assert not AuditEvent.objects.filter(action="portal.guidancepage.published").exists()


def test_network_administrator_cannot_publish_an_unapproved_draft_from_the_edit_view(client_for, network_admin, sha_editor, guidance_index):
    page = draft_by(guidance_index, sha_editor.user)

    client_for(network_admin).post(reverse("wagtailadmin_pages:edit", args=[page.pk]), form(page.title, page.slug))

    page.refresh_from_db()
    assert not page.live


def test_superuser_cannot_publish_an_unapproved_draft_from_the_edit_view(client, sha_editor, guidance_index, django_user_model):
    page = draft_by(guidance_index, sha_editor.user)
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.nhs.uk", "Correct-horse-battery-9"))

    client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), form(page.title, page.slug))

    page.refresh_from_db()
    assert not page.live


def test_network_administrator_cannot_supersede_guidance_by_publishing_an_edit(
        client_for, network_admin, sha_editor, second_sha_editor, guidance_index):
    old = approve(draft_by(guidance_index, sha_editor.user, "PbC responsibilities (2006)"), sha_editor, second_sha_editor)
    new = approve(draft_by(guidance_index, sha_editor.user, "PbC responsibilities"), sha_editor, second_sha_editor)

    client_for(network_admin).post(reverse("wagtailadmin_pages:edit", args=[old.pk]),
                                   form(old.title, old.slug, superseded_by=str(new.pk)))

    old.refresh_from_db()
    assert old.live and old.superseded_by_id is None


def test_network_administrator_cannot_supersede_guidance_through_the_service(network_admin, sha_editor, second_sha_editor, guidance_index):
    old = approve(draft_by(guidance_index, sha_editor.user, "PbC responsibilities (2006)"), sha_editor, second_sha_editor)
    new = approve(draft_by(guidance_index, sha_editor.user, "PbC responsibilities"), sha_editor, second_sha_editor)

    with pytest.raises(services.SupersedeRefused):
        services.supersede_guidance(old, new, network_admin.user)


def test_network_administrator_cannot_bulk_publish_an_unapproved_draft(client_for, network_admin, sha_editor, guidance_index):
    page = draft_by(guidance_index, sha_editor.user)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"]) + f"?id={page.pk}"

    client_for(network_admin).post(url, {"include_descendants": ""})

    page.refresh_from_db()
    assert not page.live


def test_guidance_a_second_sha_editor_approved_goes_live_and_is_audited(sha_editor, second_sha_editor, guidance_index):
    page = approve(draft_by(guidance_index, sha_editor.user), sha_editor, second_sha_editor)

    assert page.live
    published = AuditEvent.objects.filter(action="portal.guidancepage.published", target_id=str(page.pk)).get()
    assert published.actor == second_sha_editor.user
