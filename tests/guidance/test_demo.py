"""The demonstration guidance, links and newsletter archive come from the seeds and can be built twice."""
from __future__ import annotations

from portal.guidance import demo as guidance_demo
from portal.guidance.models import GuidanceIndexPage, GuidancePage, Link, NewsletterIssuePage, NewsletterSubscription


def test_demo_builds_seed_guidance_once(home_page, service_areas, member, roles):
    region = {"areas": service_areas, "organisations": {}, "members": {member.user.email: member}}

    guidance_demo.build(region)
    guidance_demo.build(region)

    index = GuidanceIndexPage.objects.get(slug="guidance")
    assert index.get_workflow() is not None
    titles = set(GuidancePage.objects.values_list("title", flat=True))
    assert "World Class Commissioning and what it means for PbC" in titles
    assert "Freed-up resources and incentive schemes" in titles
    assert GuidancePage.objects.count() == len(guidance_demo.GUIDANCE)
    assert GuidancePage.objects.get(slug="pbc-responsibilities-2006").superseded_by_id == GuidancePage.objects.get(slug="pbc-responsibilities").pk
    assert Link.objects.count() == len(guidance_demo.LINKS)
    assert NewsletterIssuePage.objects.count() == 1
    assert NewsletterSubscription.objects.filter(user=member.user, is_subscribed=True).exists()
