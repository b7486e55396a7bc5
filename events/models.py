"""Events: the calendar of network meetings, training courses and webinars, and bookings for them.

An event is a Wagtail page (editors write the description, speakers and, after
the event, the materials) under the one events index at ``/events/``.  Its
sessions are an orderable inline: start and end are stored in UTC and shown
in Europe/London.  Bookings are plain rows changed only by ``events.services``,
which lock the event row before counting places; the constraints below make
the database refuse what the services must never do.
"""
from __future__ import annotations

import calendar
import re
import secrets
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, F, Min, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from directory.models import Member, Organisation, ServiceArea
from portal.core import fragments
from portal.core.fragments import cached_value
from portal.core.page_cache import serve_cached
from portal.core.permissions import is_member

# The event list's cached fragments (``events.signals`` forgets them).
EVENT_LIST = fragments.family("events.list")


class EventType(models.TextChoices):
    NETWORK_MEETING = "network_meeting", "Network meeting"
    TRAINING_COURSE = "training_course", "Training course"
    WEBINAR = "webinar", "Webinar"
    EXTERNAL_EVENT = "external_event", "External event"


class Audience(models.TextChoices):
    PUBLIC = "public", "Anyone"
    MEMBERS = "members", "Network members only"


class EventIndexPage(Page):
    """The calendar at /events/: a list (default) or a month grid, filtered by type and service area."""

    introduction = models.TextField(blank=True, help_text="One or two sentences under the title.")

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(calendar_context(self, request))
        return context

    def serve(self, request, *args, **kwargs):
        """Anonymous visitors get the whole page from the page cache (portal/core/page_cache.py) until an event,
        a booking or a service area changes (events.signals) or the next event ends."""
        return serve_cached(
            request, self, lambda: super(EventIndexPage, self).serve(request, *args, **kwargs),
            timeout=lambda: seconds_until_an_event_ends(self, request=request),
        )

    def cache_query(self, request) -> dict[str, str]:
        """The query parameters this page reads, in their normal form (see portal.core.page_cache.serve_cached)."""
        return cache_query(request)

    def get_template(self, request, *args, **kwargs):
        if request.GET.get("view") == "month":
            return "events/event_index_month.html"
        return "events/event_index_page.html"


class EventPageQuerySet(PageQuerySet):
    """Listing queries for events; callers add ``.live()`` and audience themselves through ``visible_to``."""

    def visible_to(self, user) -> "EventPageQuerySet":
        """Live events this person may see: everyone sees public events, members see all."""
        qs = self.filter(live=True)
        if not is_member(user):
            qs = qs.filter(audience=Audience.PUBLIC)
        return qs

    def upcoming(self, now: datetime | None = None) -> "EventPageQuerySet":
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now: datetime | None = None) -> "EventPageQuerySet":
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")


class EventPageManager(PageManager.from_queryset(EventPageQuerySet)):
    """Page manager whose querysets have the listing methods above."""


class EventPage(Page):
    """One event: a network meeting, training course, webinar or someone else's event we point to.

    ``starts_at``/``ends_at`` are copied from the first and last session on
    every save so the calendar can sort and filter without reading sessions.
    ``capacity`` empty means no limit; ``organisation_limit`` caps active
    bookings per organisation (seed 000: "one representative per practice").
    """

    event_type = models.CharField(max_length=20, choices=EventType.choices, default=EventType.NETWORK_MEETING)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    summary = models.CharField(max_length=300, blank=True, help_text="One sentence for the calendar list.")
    description = RichTextField(blank=True)
    speakers = models.TextField(blank=True, help_text="One speaker per line, for example “Dr Brian Balmer, Chief Executive, Essex LMCs”.")
    venue = models.TextField(blank=True, help_text="Name and address. Leave empty for online-only events.")
    online_url = models.URLField(blank=True, help_text="Joining link for webinars; shown to people with a confirmed place.")
    external_url = models.URLField(blank=True, help_text="For external events: where to find out more and book.")
    service_areas = ParentalManyToManyField(ServiceArea, blank=True, related_name="events")

    takes_bookings = models.BooleanField(default=True, help_text="Untick for events booked elsewhere.")
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Places available. Leave empty for no limit.")
    organisation_limit = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most places one organisation may hold, for example 1 for “one representative per practice”."
    )
    booking_opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open as soon as published.")
    booking_closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: closes when the event starts.")

    materials = StreamField(
        [
            ("document", DocumentChooserBlock(label="Document")),
            ("link", blocks.StructBlock([("title", blocks.CharBlock()), ("url", blocks.URLBlock())], label="Link")),
            ("notes", blocks.RichTextBlock(label="Notes")),
        ],
        blank=True,
        use_json_field=True,
        help_text="Slides, notes and actions added after the event.",
    )

    starts_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    objects = EventPageManager()

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("event_type"), FieldPanel("audience")]),
        FieldPanel("summary"),
        FieldPanel("description"),
        InlinePanel("sessions", label="Sessions", min_num=1),
        MultiFieldPanel([FieldPanel("venue"), FieldPanel("online_url"), FieldPanel("external_url")], heading="Where"),
        FieldPanel("speakers"),
        FieldPanel("service_areas", widget=forms.CheckboxSelectMultiple),  # as on guidance topics
        MultiFieldPanel(
            [
                FieldPanel("takes_bookings"),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("organisation_limit")]),
                FieldRowPanel([FieldPanel("booking_opens_at"), FieldPanel("booking_closes_at")]),
            ],
            heading="Bookings",
        ),
        FieldPanel("materials"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("speakers"),
        index.FilterField("event_type"),
        index.FilterField("audience"),
        index.FilterField("starts_at"),
    ]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        permissions = [
            ("manage_bookings", "Can book on behalf, mark attendance, export and e-mail attendees"),
        ]

    def save(self, *args, **kwargs):
        sessions = [s for s in self.sessions.all() if s.starts_at]
        if sessions:
            self.starts_at = min(s.starts_at for s in sessions)
            self.ends_at = max(s.ends_at or s.starts_at for s in sessions)
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.booking_opens_at and self.booking_closes_at and self.booking_closes_at <= self.booking_opens_at:
            raise ValidationError({"booking_closes_at": "Booking must close after it opens."})

    # --- what the booking rules read ----------------------------------------
    @property
    def is_members_only(self) -> bool:
        return self.audience == Audience.MEMBERS

    @property
    def is_training(self) -> bool:
        return self.event_type == EventType.TRAINING_COURSE

    def booking_closes(self) -> datetime | None:
        return self.booking_closes_at or self.starts_at

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at is not None and self.starts_at <= (now or timezone.now())

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at is not None and self.ends_at < (now or timezone.now())

    def is_booking_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if not self.takes_bookings or self.has_started(now):
            return False
        if self.booking_opens_at and now < self.booking_opens_at:
            return False
        closes = self.booking_closes()
        return closes is None or now < closes

    def places_left(self, places_taken: int) -> int | None:
        """Places still free when ``places_taken`` are held; None when the event has no limit."""
        return None if self.capacity is None else max(self.capacity - places_taken, 0)

    def serve(self, request, *args, **kwargs):
        if self.is_members_only and not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            if request.user.is_authenticated:
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied("This event is for network members only.")
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(event_context(self, request))
        return context


class EventSession(Orderable):
    """One sitting of an event (a course may run over several afternoons). Stored in UTC, shown in Europe/London."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True, help_text="Optional, for example “Day 2: negotiating”.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    panels = [FieldPanel("title"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta(Orderable.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="events_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.page.title} session"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The session must end after it starts."})


class BookingQuerySet(models.QuerySet):
    def active(self) -> "BookingQuerySet":
        """Bookings that hold a place or a spot on the waiting list."""
        return self.exclude(status=Booking.Status.CANCELLED)

    def holding_place(self) -> "BookingQuerySet":
        return self.filter(status__in=Booking.PLACE_STATUSES)

    def waitlisted(self) -> "BookingQuerySet":
        return self.filter(status=Booking.Status.WAITLISTED).order_by("position")


class Booking(models.Model):
    """A member's place (or waiting-list spot) at an event.

    ``organisation`` is the organisation the per-organisation limit counts
    against (their practice when they have one).  ``place`` numbers the
    confirmed places 1..capacity: the partial unique constraint on it means
    two transactions that both believe a place is free cannot both take it,
    so the database, not only the lock, stands behind "never oversold".
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"

    PLACE_STATUSES = (Status.CONFIRMED, Status.ATTENDED)

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="bookings")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="event_bookings")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_bookings")
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    place = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(null=True, blank=True, help_text="Order on the waiting list, 1 first.")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["event", "status", "place", "position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"], condition=~Q(status="cancelled"), name="events_booking_one_active_per_member"
            ),
            models.UniqueConstraint(
                fields=["event", "place"], condition=Q(status__in=["confirmed", "attended"]), name="events_booking_place_unique"
            ),
            models.UniqueConstraint(
                fields=["event", "position"], condition=Q(status="waitlisted"), name="events_booking_position_unique"
            ),
            models.CheckConstraint(
                condition=(Q(status__in=["confirmed", "attended"], place__isnull=False, place__gte=1) | ~Q(status__in=["confirmed", "attended"])),
                name="events_booking_place_when_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", position__isnull=False) | ~Q(status="waitlisted"),
                name="events_booking_position_when_waitlisted",
            ),
        ]
        indexes = [models.Index(fields=["member", "status"], name="events_booking_member_status")]

    def __str__(self) -> str:
        return f"{self.member} – {self.event} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def holds_place(self) -> bool:
        return self.status in self.PLACE_STATUSES

    def get_absolute_url(self) -> str:
        return self.event.url


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a member's "my bookings" calendar feed; replacing the token revokes old subscriptions."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed for {self.member}"

    def get_absolute_url(self) -> str:
        return reverse("events:my-feed", kwargs={"token": self.token})


class BookingAction(models.Model):
    """Who did what to a booking, as a dotted action code ("events.booking.cancelled"), for administrators' questions later."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=60)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor or 'the system'}"


# --- what the calendar pages show: the index (list or month grid) and one event ---------------------------
#
# Both are Wagtail pages; their get_context and serve (above) call these functions, which build
# the extra context.  Every listing costs a fixed number of queries whatever the
# number of events (sessions and service areas are prefetched).
#
# The list view's filters, rows and pagination are rendered once per viewer class
# (members also see members-only events) and filter, and kept in the shared cache
# (``portal.core.fragments``) until an event, a booking or a service area changes
# (``events.signals``) or the next listed event ends, whichever comes first: a
# cached list costs no query and almost no rendering.

PAGE_SIZE = 20
CACHED_YEARS_EITHER_SIDE = 5  # months further away are shown but not kept in the page cache


def _filters(request) -> dict:
    event_type = request.GET.get("type", "")
    if event_type not in EventType.values:
        event_type = ""
    when = request.GET.get("when", "upcoming")
    if when not in {"upcoming", "past"}:
        when = "upcoming"
    return {"type": event_type, "area": request.GET.get("area", "")[:80], "when": when}


def cache_query(request) -> dict[str, str]:
    """The query parameters the index reads, each in the normal form it would use for this request.

    The page cache stores an index page only when its address matches these exactly; an area that is not
    a service area's slug, a month it would have corrected or a page number with leading zeros is answered
    but not stored.
    """
    filters = _filters(request)
    query = {"type": filters["type"], "when": filters["when"], "view": "month"}
    area = request.GET.get("area", "")
    if not area or ServiceArea.objects.filter(slug=area).exists():
        query["area"] = area
    page_number = request.GET.get("page", "")
    if re.fullmatch(r"[1-9][0-9]{0,2}", page_number):  # pages past 999 are shown but not kept
        query["page"] = page_number
    month = request.GET.get("month", "")
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", month) and _parse_month(month).strftime("%Y-%m") == month:
        if abs(int(month[:4]) - timezone.localdate().year) <= CACHED_YEARS_EITHER_SIDE:
            query["month"] = month
    return query


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


def add_event_url(user, index_page=None) -> str:
    """The Wagtail editor's "add an event" page under the events index, for administrators who manage events ("" for others).

    Asked only of people who manage bookings (their permissions are cached), so other members' calendar
    pages cost no page-permission queries.
    """
    if not (is_member(user) and user.has_perm("events.manage_bookings") and user.has_perm("wagtailadmin.access_admin")):
        return ""
    index_page = index_page or EventIndexPage.objects.first()
    if index_page is None or not index_page.permissions_for_user(user).can_add_subpage():
        return ""
    return reverse("wagtailadmin_pages:add", args=("events", "eventpage", index_page.pk))


def calendar_context(index_page, request) -> dict:
    filters = _filters(request)
    context = {"filters": filters, "is_member": is_member(request.user)}
    context["can_manage_events"] = context["is_member"] and request.user.has_perm("events.manage_bookings")
    context["add_event_url"] = add_event_url(request.user, index_page) if context["can_manage_events"] else ""
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
        events = events.annotate(
            places_taken=Count("bookings", filter=Q(bookings__status__in=Booking.PLACE_STATUSES), distinct=True)
        )
        page_obj = Paginator(events, PAGE_SIZE).get_page(page_number)
        for event in page_obj.object_list:
            # What the row says about places: "3 places left", or "Fully booked" with "Waiting list open" while
            # booking is open (a full event takes people onto its waiting list until booking closes).
            event.places_left_now = event.places_left(event.places_taken) if event.takes_bookings else None
            event.booking_open_now = event.is_booking_open(now)
        areas = list(ServiceArea.objects.only("name", "slug"))
        html = render_to_string("events/_event_list.html", {
            "filters": filters,
            "event_types": EventType.choices,
            "areas": areas,
            "events": page_obj.object_list,
            "page_obj": page_obj,
            "query": urlencode(query),
        })
        # Only the lists people reach from the page's own links are kept: a made-up area or a page number past 999 is
        # answered but not stored, so a visitor cannot fill the cache with copies of an empty or a last page.
        if len(page_number) > 3 or (filters["area"] and not any(area.slug == filters["area"] for area in areas)):
            return html, 0
        return html, seconds_until_an_event_ends(index_page, now, request)

    viewer = "member" if member else "public"
    parts = (index_page.pk, viewer, filters["type"], filters["area"], filters["when"], page_number)
    return mark_safe(cached_value(EVENT_LIST, parts, render))  # noqa: S308 - only our template's output is stored


def seconds_until_an_event_ends(index_page, now: datetime | None = None, request=None) -> int:
    """When the next event ends, it moves from "upcoming" to "past", and when booking opens, closes or an event
    starts, its "Waiting list open" changes: a list cached now must not outlive the first of these.

    With ``request``, the moment is read once per request (the event list and the page around it both ask): any
    change to an event after that read moves their caches on anyway, and once the moment has passed nothing is kept
    (0 seconds or less).
    """
    now = now or timezone.now()
    memo = getattr(request, "_next_event_change", None)
    if memo is not None and memo[0] == index_page.pk:
        first = memo[1]
    else:
        live = EventPage.objects.child_of(index_page).filter(live=True)
        moments = live.aggregate(
            ends=Min("ends_at", filter=Q(ends_at__gt=now)),
            starts=Min("starts_at", filter=Q(starts_at__gt=now)),
            opens=Min("booking_opens_at", filter=Q(booking_opens_at__gt=now)),
            closes=Min("booking_closes_at", filter=Q(booking_closes_at__gt=now)),
        )
        first = min((moment for moment in moments.values() if moment is not None), default=None)
        if request is not None:
            request._next_event_change = (index_page.pk, first)
    return int((first - now).total_seconds()) + 1 if first else 24 * 3600


def event_context(event: EventPage, request) -> dict:
    user = request.user
    member = getattr(user, "member", None) if user.is_authenticated else None
    booking = None
    if member is not None:
        booking = Booking.objects.filter(event=event, member=member).active().first()
    places_taken = Booking.objects.filter(event=event).holding_place().count()
    waiting = Booking.objects.filter(event=event, status=Booking.Status.WAITLISTED).count()
    can_manage = is_member(user) and user.has_perm("events.manage_bookings")
    return {
        "sessions": list(event.sessions.order_by("starts_at")),
        "booking": booking,
        "places_taken": places_taken,
        "places_left": event.places_left(places_taken),
        "waiting_count": waiting,
        "booking_open": event.is_booking_open(),
        "can_book": is_member(user) and member is not None and event.is_booking_open() and booking is None,
        "can_manage": can_manage,
        "speaker_lines": [line.strip() for line in event.speakers.splitlines() if line.strip()],
        "has_ended": event.has_ended(),
    }
