"""Thin views: check who is asking, call one service, turn refusals into plain messages."""
from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from directory.models import Member
from events import services
from events.certificates import certificate_pdf
from events.forms import BookOnBehalfForm, CapacityForm, EmailAttendeesForm
from events.ics import calendar_for_event, calendar_for_events
from events.models import Audience, Booking, CalendarFeed, EventPage, EventSession, add_event_url
from events.services import EventsError
from portal.core.addresses import absolute_url
from portal.core.csv_stream import safe_cell as _csv_safe
from portal.core.permissions import is_member, member_required, not_found_or_sign_in, permission_required

MANAGE = "events.manage_bookings"


def _event_for(request, pk: int) -> EventPage:
    """A live event this person may see; otherwise 404, or sign in for a signed-out visitor (whether or not it exists)."""
    event = EventPage.objects.live().filter(pk=pk).first()
    if event is None or (event.audience == Audience.MEMBERS and not is_member(request.user)):
        raise not_found_or_sign_in(request, "No such event.")
    return event


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- members -------------------------------------------------------------------------


@require_POST
@member_required
def book(request, pk: int):
    event = _event_for(request, pk)
    try:
        booking = services.book_place(event, request.user.member)
    except EventsError as refusal:
        messages.error(request, refusal.user_message)
    else:
        if booking.status == Booking.Status.WAITLISTED:
            messages.warning(request, f"The event is full. You are number {booking.position} on the waiting list; we will e-mail you if a place comes free.")
        else:
            messages.success(request, "Your place is booked. We have e-mailed you a confirmation with a calendar file.")
    return redirect(event.url)


def _safe_next(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") else ""


@require_http_methods(["GET", "POST"])
@member_required
def cancel(request, pk: int):
    """GET asks "are you sure?" (a place given up goes to the next person waiting); POST cancels."""
    booking = get_object_or_404(Booking.objects.select_related("event", "member__user"), pk=pk)
    if booking.member_id != request.user.member.pk and not request.user.has_perm(MANAGE):
        raise PermissionDenied("You can only cancel your own bookings.")
    if request.method == "GET":
        if not booking.is_active:
            messages.info(request, "This booking is already cancelled.")
            return redirect(booking.event.url)
        return render(request, "events/cancel_booking.html", {
            "booking": booking,
            "event": booking.event,
            "is_own": booking.member_id == request.user.member.pk,
            "next": _safe_next(request.GET.get("next", "")),
            "breadcrumbs": [{"title": "Events", "url": "/events/"}, {"title": booking.event.title, "url": booking.event.url}],
        })
    leaves_waiting_list = booking.status == Booking.Status.WAITLISTED and booking.member.user_id == request.user.pk
    try:
        services.cancel_booking(booking, by=request.user)
    except EventsError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, "You have left the waiting list." if leaves_waiting_list else "The booking has been cancelled.")
    next_url = _safe_next(request.POST.get("next", ""))
    return redirect(next_url or booking.event.url)


def event_ics(request, pk: int):
    event = _event_for(request, pk)
    return _ics_response(calendar_for_event(event), f"{event.slug}.ics")


def public_feed(request):
    """Every public event, for anyone to subscribe to."""
    events = (
        EventPage.objects.live()
        .filter(audience=Audience.PUBLIC, starts_at__isnull=False)
        .order_by("starts_at")
        .prefetch_related(Prefetch("sessions", queryset=EventSession.objects.order_by("starts_at")))
    )
    return _ics_response(calendar_for_events(events, "PbC Network events"), "pbc-network-events.ics")


def my_feed(request, token: str):
    """A member's own bookings; the secret token in the address is the only key, so calendar apps can fetch it."""
    feed = CalendarFeed.objects.select_related("member").filter(token=token).first()
    if feed is None or not feed.member.is_approved:
        raise Http404("No such calendar.")
    events = (
        EventPage.objects.live()
        .filter(bookings__member=feed.member, bookings__status__in=Booking.PLACE_STATUSES)
        .distinct()
        .order_by("starts_at")
        .prefetch_related(Prefetch("sessions", queryset=EventSession.objects.order_by("starts_at")))
    )
    return _ics_response(calendar_for_events(events, "My PbC Network bookings"), "my-bookings.ics")


@member_required
def training_record(request):
    """The member's bookings, attended training first, with certificates and their feed address."""
    member = request.user.member
    bookings = list(
        Booking.objects.filter(member=member)
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("event")
        .order_by("-event__starts_at")
    )
    feed = services.get_or_create_feed(member)
    return render(
        request,
        "events/training_record.html",
        {
            "upcoming": [b for b in bookings if not b.event.has_ended()],
            "history": [b for b in bookings if b.event.has_ended()],
            "feed_url": absolute_url(feed.get_absolute_url()),
            "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": "Events", "url": "/events/"}],
        },
    )


@require_POST
@member_required
def reset_feed(request):
    services.reset_feed_token(request.user.member)
    messages.success(request, "Your calendar feed has a new address. Calendars using the old one will stop updating.")
    return redirect("events:training-record")


@member_required
def certificate(request, pk: int):
    booking = get_object_or_404(Booking.objects.select_related("event", "member__user"), pk=pk)
    if booking.member_id != request.user.member.pk and not request.user.has_perm(MANAGE):
        raise PermissionDenied("You can only download your own certificates.")
    if booking.status != Booking.Status.ATTENDED:
        raise Http404("There is no certificate for this booking: attendance has not been recorded.")

    response = HttpResponse(certificate_pdf(booking), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{booking.event.slug}.pdf"'
    return response


# --- administrators ----------------------------------------------------------------------


def _manage_context(event: EventPage, **extra) -> dict:
    bookings = list(
        Booking.objects.filter(event=event)
        .select_related("member__user", "organisation")
        .order_by("status", "place", "position", "created_at")
    )
    return {
        "event": event,
        "confirmed": [b for b in bookings if b.holds_place],
        "waiting": sorted((b for b in bookings if b.status == Booking.Status.WAITLISTED), key=lambda b: b.position),
        "cancelled": [b for b in bookings if b.status == Booking.Status.CANCELLED],
        "has_started": event.has_started(),
        "breadcrumbs": [{"title": "Events", "url": "/events/"}, {"title": event.title, "url": event.url}],
        **extra,
    }


@permission_required(MANAGE)
def manage_overview(request):
    """Every upcoming event with its places taken and waiting list, for administrators (three queries)."""
    from django.db.models import Count, Q

    events = (
        EventPage.objects.filter(takes_bookings=True)
        .upcoming()
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=Booking.PLACE_STATUSES)),
            waiting=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
        )
    )
    return render(
        request,
        "events/manage_overview.html",
        {"events": events, "add_event_url": add_event_url(request.user),
         "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": "Events", "url": "/events/"}]},
    )


@permission_required(MANAGE)
def manage(request, pk: int):
    event = get_object_or_404(EventPage, pk=pk)
    context = _manage_context(
        event,
        behalf_form=BookOnBehalfForm(event=event),
        capacity_form=CapacityForm(initial={"capacity": event.capacity}),
        email_form=EmailAttendeesForm(),
    )
    return render(request, "events/manage.html", context)


@require_POST
@permission_required(MANAGE)
def manage_book_on_behalf(request, pk: int):
    event = get_object_or_404(EventPage, pk=pk)
    form = BookOnBehalfForm(request.POST, event=event)
    if form.is_valid():
        try:
            booking = services.book_on_behalf(event, form.cleaned_data["member"], by=request.user)
        except EventsError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, f"{booking.member} is booked in ({booking.get_status_display().lower()}).")
        return redirect("events:manage", pk=event.pk)
    return render(request, "events/manage.html", _manage_context(event, behalf_form=form, capacity_form=CapacityForm(initial={"capacity": event.capacity}), email_form=EmailAttendeesForm()), status=400)


@require_POST
@permission_required(MANAGE)
def manage_capacity(request, pk: int):
    event = get_object_or_404(EventPage, pk=pk)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            promoted = services.change_capacity(event, form.cleaned_data["capacity"], by=request.user)
        except EventsError as refusal:
            messages.error(request, refusal.user_message)
        else:
            note = f" {len(promoted)} people moved from the waiting list to confirmed places." if promoted else ""
            messages.success(request, f"Capacity updated.{note}")
        return redirect("events:manage", pk=event.pk)
    return render(request, "events/manage.html", _manage_context(event, behalf_form=BookOnBehalfForm(event=event), capacity_form=form, email_form=EmailAttendeesForm()), status=400)


@require_POST
@permission_required(MANAGE)
def manage_attendance(request, pk: int):
    booking = get_object_or_404(Booking, pk=pk)
    try:
        services.mark_attendance(booking, request.POST.get("attended") == "yes", by=request.user)
    except EventsError as refusal:
        messages.error(request, refusal.user_message)
    return redirect("events:manage", pk=booking.event_id)


@require_POST
@permission_required(MANAGE)
def manage_email(request, pk: int):
    event = get_object_or_404(EventPage, pk=pk)
    form = EmailAttendeesForm(request.POST)
    if form.is_valid():
        count = services.email_attendees(
            event, form.cleaned_data["subject"], form.cleaned_data["message"], by=request.user,
            include_waiting_list=form.cleaned_data["include_waiting_list"],
        )
        messages.success(request, f"Your message is being sent to {count} people.")
        return redirect("events:manage", pk=event.pk)
    return render(request, "events/manage.html", _manage_context(event, behalf_form=BookOnBehalfForm(event=event), capacity_form=CapacityForm(initial={"capacity": event.capacity}), email_form=form), status=400)


def _attendance(booking: Booking) -> str:
    """The attendance column as the manage page words it; nothing for someone still on the waiting list."""
    if booking.status == Booking.Status.ATTENDED:
        return "Attended"
    return "Not recorded" if booking.holds_place else ""


@permission_required(MANAGE)
def attendees_csv(request, pk: int):
    event = get_object_or_404(EventPage, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-{event.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Name", "E-mail", "Organisation", "Status", "Place", "Waiting list position", "Booked at", "Attended"])
    bookings = (
        Booking.objects.filter(event=event).active().select_related("member__user", "organisation").order_by("status", "place", "position")
    )
    for b in bookings:
        writer.writerow(
            [
                _csv_safe(str(b.member)),
                _csv_safe(b.member.user.email),
                _csv_safe(b.organisation.name if b.organisation else ""),
                b.get_status_display(),
                b.place or "",
                b.position or "",
                timezone.localtime(b.created_at).strftime("%d/%m/%Y %H:%M"),
                _attendance(b),
            ]
        )
    return response


