"""Thin views: the service areas a member follows, and who has done the work on one."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from directory.areas import expertise as finder
from directory.areas import services
from directory.areas.forms import ExpertiseForm, FollowForm
from directory.areas.models import Movement, ServiceAreaWatch
from directory.models import ServiceArea
from directory.privacy import policy_for
from portal.core.permissions import member_required

HOME = {"title": "Home", "url": "/"}
DIRECTORY = {"title": "Directory", "url": "/directory/"}
RECENT_MOVEMENTS = 20


def _own_member(request):
    member = getattr(request.user, "member", None)
    if member is None:  # a superuser set up without a directory profile
        raise Http404("You have no directory profile.")
    return member


@member_required
def index(request):
    """The service areas page (/areas/): every area, whether you follow it, and the ways into each."""
    member = _own_member(request)
    followed = set(ServiceAreaWatch.objects.filter(member=member, is_active=True).values_list("service_area_id", flat=True))
    areas = ServiceArea.objects.order_by("name")
    return render(request, "areas/index.html", {
        "rows": [{"area": area, "is_followed": area.pk in followed} for area in areas],
        "followed_count": len(followed),
        "breadcrumbs": [HOME],
    })


@member_required
def following(request):
    member = _own_member(request)
    watches = {w.service_area_id: w for w in ServiceAreaWatch.objects.filter(member=member)}
    rows = [{"area": area, "watch": watches.get(area.pk)} for area in ServiceArea.objects.order_by("name")]
    followed = [pk for pk, w in watches.items() if w.is_active]
    recent = (
        Movement.objects.filter(service_areas__in=followed)
        .distinct()
        .select_related("thread__board", "case_study", "template", "entry")
        .order_by("-occurred_at", "-pk")[: RECENT_MOVEMENTS * 2]
    )
    return render(request, "areas/following.html", {
        "rows": rows,
        "following": [r for r in rows if r["watch"] and r["watch"].is_active],
        "not_following": [r for r in rows if not (r["watch"] and r["watch"].is_active)],
        "digest_choices": ServiceAreaWatch.Digest.choices,
        "recent": [m for m in recent if services.may_see(request.user, m)][:RECENT_MOVEMENTS],
        "breadcrumbs": [HOME, DIRECTORY],
    })


@require_POST
@member_required
def follow(request, slug: str):
    area = get_object_or_404(ServiceArea, slug=slug)
    form = FollowForm(request.POST)
    digest = form.cleaned_data["digest"] if form.is_valid() else ServiceAreaWatch.Digest.WEEKLY
    try:
        services.follow_area(_own_member(request), area, digest=digest)
    except services.AreasError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, f"You follow {area.name}.")
    return redirect("areas:following")


@require_POST
@member_required
def stop(request, slug: str):
    area = get_object_or_404(ServiceArea, slug=slug)
    try:
        services.stop_following(_own_member(request), area)
    except services.AreasError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, f"You no longer follow {area.name}. Changing your profile will not switch it back on.")
    return redirect("areas:following")


@member_required
def expertise(request):
    form = ExpertiseForm(request.GET or None)
    area, choices, experts = None, [], []
    if form.is_valid():
        area = form.cleaned_data["area"]
        if area is None and form.cleaned_data["q"]:
            choices = list(finder.areas_matching(form.cleaned_data["q"]))
            if len(choices) == 1:
                area, choices = choices[0], []
        if area is not None:
            experts = finder.find_experts(area, viewer=request.user, policy=policy_for(request.user), request=request)
    return render(request, "areas/expertise.html", {
        "form": form, "area": area, "choices": choices, "experts": experts, "searched": form.is_bound,
        "weights": finder.WEIGHTS, "breadcrumbs": [HOME, DIRECTORY],
    })
