"""The Wagtail admin screens editors and administrators use for guidance and the links library."""
from __future__ import annotations

from django.urls import reverse

from portal.guidance.models import GuidancePage, Link


def test_sha_editor_can_open_the_new_guidance_form(guidance_index, sha_editor, client_for):
    url = reverse("wagtailadmin_pages:add", args=["portal", "guidancepage", guidance_index.pk])

    response = client_for(sha_editor).get(url)

    assert response.status_code == 200
    assert "Audience, topics and review" in response.content.decode()


def test_sha_editor_submits_new_guidance_for_approval_from_the_admin(guidance_index, sha_editor, service_areas, client_for):
    url = reverse("wagtailadmin_pages:add", args=["portal", "guidancepage", guidance_index.pk])

    client_for(sha_editor).post(url, {
        "title": "Freed-up resources and incentive schemes",
        "slug": "freed-up-resources",
        "summary": "At least 70% of freed-up resources can be reinvested in patient care.",
        "body-count": "0",
        "change_note": "",
        "audience": "members",
        "topics": [service_areas["Prescribing"].pk],
        "content_owner": "",
        "review_by": "2027-04-01",
        "superseded_by": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "action-submit": "Submit for moderation",
    })

    page = GuidancePage.objects.get(slug="freed-up-resources")
    assert not page.live
    assert page.workflow_in_progress
    assert page.current_workflow_state.requested_by == sha_editor.user


def test_network_admin_manages_the_links_library_in_the_admin(network_admin, client_for):
    Link.objects.create(title="NICE guidance", url="https://www.nice.org.uk/guidance", category="nice")

    response = client_for(network_admin).get(reverse("wagtailsnippets_portal_link:list"))

    assert response.status_code == 200
    assert "NICE guidance" in response.content.decode()


def test_member_cannot_open_the_links_library_admin(member, client_for):
    response = client_for(member).get(reverse("wagtailsnippets_portal_link:list"))

    assert response.status_code in (302, 403)
