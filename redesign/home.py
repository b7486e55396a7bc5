"""The newest case studies for the home page, only those the viewer may see (two queries)."""
from __future__ import annotations

from portal.core.home_items import HomeItem
from redesign.models import CaseStudyPage
from redesign.permissions import visible_case_studies


def home_items(user, limit: int, request=None) -> list[HomeItem]:
    studies = (
        visible_case_studies(CaseStudyPage.objects.all(), user)
        .select_related("organisation", "service_area")
        .order_by("-first_published_at")[:limit]
    )
    return [
        HomeItem(
            title=study.title,
            url=study.get_url(request),
            meta=" · ".join(filter(None, [study.organisation.name if study.organisation else "", study.service_area.name if study.service_area else ""])),
            summary=study.summary,
        )
        for study in studies
    ]
