"""How events appear in the portal's one search: live events only, members-only events for members only."""
from __future__ import annotations

from django.utils.html import strip_tags

from events.models import Audience, EventPage
from search.registry import MEMBERS, PUBLIC, Searchable, SearchDocument, register


class EventSearchable(Searchable):
    kind = "event"
    label = "Events and training"
    model = EventPage

    def queryset(self):
        return EventPage.objects.live().prefetch_related("service_areas")

    def to_document(self, obj: EventPage) -> SearchDocument | None:
        if not obj.live:
            return None
        body = "\n".join(filter(None, [obj.summary, strip_tags(obj.description), obj.speakers, obj.venue]))
        return SearchDocument(
            kind=self.kind,
            pk=str(obj.pk),
            title=obj.title,
            body=body,
            url=obj.url or "",
            audience=PUBLIC if obj.audience == Audience.PUBLIC else MEMBERS,
            service_areas=tuple(area.name for area in obj.service_areas.all()),
            date=obj.starts_at,
            extra={"event_type": obj.get_event_type_display(), "keywords": [obj.get_event_type_display()]},
        )


register(EventSearchable())
