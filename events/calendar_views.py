"""What the calendar pages show: the index (list or month grid) and one event.

Both are Wagtail pages; these functions build their extra context so the page
models stay small.  Every listing costs a fixed number of queries whatever the
number of events (sessions and service areas are prefetched).

The list view's filters, rows and pagination are rendered once per viewer class
(members also see members-only events) and filter, and kept in the shared cache
(``portal.core.fragments``) until an event, a booking or a service area changes
(``events.signals``) or the next listed event ends, whichever comes first: a
cached list costs no query and almost no rendering.
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Min, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from directory.models import ServiceArea
from events.models import Booking, EventPage, EventSession, EventType
from events.signals import EVENT_LIST
from portal.core.fragments import cached_value
from portal.core.permissions import is_member

PAGE_SIZE = 20


def _filters(request) -> dict:
    event_type = request.GET.get("type", "")
    if event_type not in EventType.values:
        event_type = ""
    when = request.GET.get("when", "upcoming")
    if when not in {"upcoming", "past"}:
        when = "upcoming"
    return {"type": event_type, "area": request.GET.get("area", "")[:80], "when": when}


def _base_queryset(index_page, request, filters: dict):
    events = EventPage.objects.child_of(index_page).visible_to(request.user)
    if filters["type"]:
        events = events.filter(event_type=filters["type"])
    if filters["area"]:
        events = events.filter(service_areas__slug=filters["area"])
    return events.prefetch_related(
        Prefetch("sessions", queryset=EventSession.objects.order_by("starts_at")),
        "service_areas",
    )


def _parse_month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return date(year, month, 1)
    except (ValueError, TypeError):
        today = timezone.localdate()
        return today.replace(day=1)


def calendar_context(index_page, request) -> dict:
    filters = _filters(request)
    context = {"filters": filters, "is_member": is_member(request.user)}
    if request.GET.get("view") != "month":
        context["event_list"] = _event_list(index_page, request, filters, context["is_member"])
        return context
    context.update({"event_types": EventType.choices, "areas": list(ServiceArea.objects.only("name", "slug"))})
    events = _base_queryset(index_page, request, filters)
    month = _parse_month(request.GET.get("month", ""))
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(month, time.min), tz)
    next_month = (month + timedelta(days=32)).replace(day=1)
    last = timezone.make_aware(datetime.combine(next_month, time.min), tz)
    by_day: dict[date, list] = defaultdict(list)
    for event in events.filter(starts_at__lt=last, ends_at__gte=first).order_by("starts_at", "pk"):
        for session in event.sessions.all():
            day = timezone.localtime(session.starts_at).date()
            if month <= day < next_month:
                by_day[day].append((timezone.localtime(session.starts_at), event))
    weeks = [
        [{"date": day, "in_month": day.month == month.month, "events": by_day.get(day, [])} for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    previous = (month - timedelta(days=1)).replace(day=1)
    context.update(
        {
            "month": month,
            "weeks": weeks,
            "day_names": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            "previous_month": previous.strftime("%Y-%m"),
            "next_month": next_month.strftime("%Y-%m"),
            "month_events": sorted(
                ((start, event) for items in by_day.values() for start, event in items), key=lambda pair: pair[0]
            ),
        }
    )
    return context


def _event_list(index_page, request, filters: dict, member: bool) -> str:
    """The list view's filters, rows and pagination, from the cache when this viewer class has had them."""
    page_number = request.GET.get("page", "")
    page_number = page_number if page_number.isdigit() and len(page_number) < 7 else "1"
    query = {name: value for name, value in filters.items() if value}

    def render() -> tuple[str, int]:
        now = timezone.now()
        events = _base_queryset(index_page, request, filters)
        events = events.upcoming(now) if filters["when"] == "upcoming" else events.past(now)
        page_obj = Paginator(events, PAGE_SIZE).get_page(page_number)
        html = render_to_string("events/_event_list.html", {
            "filters": filters,
            "event_types": EventType.choices,
            "areas": list(ServiceArea.objects.only("name", "slug")),
            "events": page_obj.object_list,
            "page_obj": page_obj,
            "query": urlencode(query),
        })
        return html, seconds_until_an_event_ends(index_page, now)

    viewer = "member" if member else "public"
    parts = (index_page.pk, viewer, filters["type"], filters["area"], filters["when"], page_number)
    return mark_safe(cached_value(EVENT_LIST, parts, render))  # noqa: S308 - only our template's output is stored


def seconds_until_an_event_ends(index_page, now: datetime | None = None) -> int:
    """When the next event ends, it moves from "upcoming" to "past": a list cached now must not outlive that."""
    now = now or timezone.now()
    ends = EventPage.objects.child_of(index_page).filter(live=True, ends_at__gt=now).aggregate(first=Min("ends_at"))["first"]
    return int((ends - now).total_seconds()) + 1 if ends else 24 * 3600


def event_context(event: EventPage, request) -> dict:
    user = request.user
    member = getattr(user, "member", None) if user.is_authenticated else None
    booking = None
    if member is not None:
        booking = Booking.objects.filter(event=event, member=member).active().first()
    places_taken = Booking.objects.filter(event=event).holding_place().count()
    waiting = Booking.objects.filter(event=event, status=Booking.Status.WAITLISTED).count()
    from portal.core.permissions import is_member as _is_member

    can_manage = _is_member(user) and user.has_perm("events.manage_bookings")
    return {
        "sessions": list(event.sessions.order_by("starts_at")),
        "booking": booking,
        "places_taken": places_taken,
        "places_left": None if event.capacity is None else max(event.capacity - places_taken, 0),
        "waiting_count": waiting,
        "booking_open": event.is_booking_open(),
        "can_book": _is_member(user) and member is not None and event.is_booking_open() and booking is None,
        "can_manage": can_manage,
        "speaker_lines": [line.strip() for line in event.speakers.splitlines() if line.strip()],
        "has_ended": event.has_ended(),
    }
