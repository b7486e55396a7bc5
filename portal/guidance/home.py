"""The home page's "Latest guidance": current guidance this visitor may read, newest first."""
from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from portal.core.home_items import HomeItem
from portal.guidance.models import GuidancePage


def home_items(user, limit: int, request=None) -> list[HomeItem]:
    """Two queries whatever the limit: the pages, then their topics."""
    pages = (
        GuidancePage.objects.live()
        .current()
        .visible_to(user)
        .prefetch_related("topics")
        .order_by("-last_published_at", "title")[:limit]
    )
    items = []
    for page in pages:
        topics = ", ".join(t.name for t in page.topics.all())
        meta = f"Updated {date_format(timezone.localtime(page.last_published_at), 'DATE_FORMAT')}" if page.last_published_at else ""
        if topics:
            meta = f"{meta} · {topics}" if meta else topics
        items.append(HomeItem(title=page.title, url=page.get_url(request) or "", meta=meta, summary=page.summary))
    return items
