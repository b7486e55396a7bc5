"""Upcoming events for the home page: only those the viewer may see, in two queries whatever the number."""
from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from events.models import EventPage
from portal.core.home_items import HomeItem


def home_items(user, limit: int, request=None) -> list[HomeItem]:
    events = EventPage.objects.visible_to(user).upcoming().only(
        "id", "title", "slug", "url_path", "event_type", "starts_at", "summary", "audience", "live"
    )[:limit]
    return [
        HomeItem(
            title=event.title,
            url=event.get_url(request) or "",
            meta=" · ".join(filter(None, [
                date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT") if event.starts_at else "",
                event.get_event_type_display(),
            ])),
            summary=event.summary,
        )
        for event in events
    ]
