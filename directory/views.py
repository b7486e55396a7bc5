"""Directory pages: the members-only list, profiles, organisations, service areas and administration.

Every view checks membership or a permission on the server; contact details
reach templates, CSV and vCards only through ``directory.privacy``.
"""
import json
from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from directory import services
from directory.exports import member_vcard, members_csv_rows
from directory.forms import CsvImportForm, DeclineForm, DirectoryFilterForm, InviteForm, ProfileForm
from directory.models import Member, Organisation, ServiceArea
from directory.privacy import ContactPolicy, contact_rows, policy_for
from portal.core import fragments
from portal.core.permissions import member_required, permission_required


@permission_required("directory.approve_member")
def pending_members(request):
    pending = Member.objects.pending().select_related("user").prefetch_related("organisations").order_by("joined_at")
    return render(request, "directory/pending.html", {"pending": pending, "decline_form": DeclineForm(),
                                                      "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": "Directory", "url": "/directory/"}]})


@require_POST
@permission_required("directory.approve_member")
def approve_member(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    try:
        services.approve_member(member, by=request.user)
    except services.DirectoryError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, f"{member.display_name} is approved and has been sent an e-mail.")
    return redirect("directory:pending")


@require_POST
@permission_required("directory.approve_member")
def decline_member(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.decline_member(member, by=request.user, reason=reason)
    except services.DirectoryError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, f"{member.display_name} has been declined and told by e-mail.")
    return redirect("directory:pending")


@permission_required("directory.invite_member")
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(form.cleaned_data["email"], by=request.user, organisation=form.cleaned_data["organisation"])
        except services.DirectoryError as refusal:
            form.add_error("email", refusal.user_message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("directory:invite")
    return render(request, "directory/invite.html", {"form": form,
                                                     "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": "Directory", "url": "/directory/"}]})


def accept_invitation(request, token: str):
    """Remember the invitation in the session and send the visitor to sign up."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as refusal:
        return render(request, "directory/invitation_invalid.html", {"message": refusal.user_message}, status=410)
    request.session["invitation_token"] = invitation.token
    messages.info(request, "Create your account with the address the invitation was sent to, and you will be approved at once.")
    return redirect(f"{reverse('account_signup')}?email={invitation.email}")


# --- the directory itself (members only) -------------------------------------------------------

PAGE_SIZE = 25
HOME = {"title": "Home", "url": "/"}
DIRECTORY = {"title": "Directory", "url": "/directory/"}


def _with_profile_data(queryset):
    """Everything a profile, an export row or a vCard needs, in a fixed number of queries whatever the number of members
    (member cards read less: ``_with_user`` and ``_cards``)."""
    return queryset.select_related("user").prefetch_related(
        Prefetch("organisations", queryset=Organisation.objects.only("pk", "name", "slug", "kind", "locality")),
        "specialties",
        "interests",
    )


def filtered_members(filters: dict):
    """Listed members matching the directory's filters (a dict of cleaned filter values)."""
    members = Member.objects.listed()
    for word in (filters.get("q") or "").split()[:5]:
        members = members.filter(Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word))
    if filters.get("organisation"):
        members = members.filter(organisations=filters["organisation"])
    if filters.get("role"):
        members = members.filter(job_role=filters["role"])
    if filters.get("interest"):
        areas = list(filters["interest"])
        # Any of the areas, as a specialty or an interest.  Sub-queries rather than joins, so a member
        # with several of them, or one as both specialty and interest, is listed once with no DISTINCT.
        members = members.filter(
            Q(pk__in=Member.specialties.through.objects.filter(servicearea__in=areas).values("member_id"))
            | Q(pk__in=Member.interests.through.objects.filter(servicearea__in=areas).values("member_id"))
        )
    if filters.get("locality"):
        members = members.filter(
            pk__in=Member.organisations.through.objects.filter(organisation__locality=filters["locality"]).values("member_id")
        )
    return members.order_by("user__last_name", "user__first_name", "pk")


def areas_named_like(text: str) -> list:
    """Service areas whose name matches a name search that found nobody ("dermatology"), to offer as a filter instead."""
    text = text.strip()
    if len(text) < 3:
        return []
    return list(ServiceArea.objects.filter(name__icontains=text).order_by("name")[:3])


def _redesign_work(related_manager) -> list:
    """Re-design matrix entries through the reverse relation redesign adds, when redesign is installed."""
    from django.apps import apps

    if related_manager is None or not apps.is_installed("redesign"):
        return []
    return list(related_manager.select_related("organisation", "service_area").order_by("-updated_at")[:50])


def _with_user(queryset):
    """Members for a list of cards: their user rows joined; ``_cards`` reads their organisations and areas."""
    return queryset.select_related("user")


def _card_relations(pks: list[int]) -> tuple[dict, dict, dict]:
    """The organisations (id, name), specialties and interests (names) of these members, by member, in name order.

    Three queries of the link tables joined to the names, however many members: Django's prefetch of the three
    many-to-many relations built a related manager and a model instance per member and per row (three quarters of
    an uncached directory page's member loading).
    """
    organisations, specialties, interests = defaultdict(list), defaultdict(list), defaultdict(list)
    if not pks:
        return organisations, specialties, interests
    for member_id, organisation_id, name in (
        Member.organisations.through.objects.filter(member_id__in=pks)
        .order_by("organisation__name", "organisation_id").values_list("member_id", "organisation_id", "organisation__name")
    ):
        organisations[member_id].append((organisation_id, name))
    for through, names in ((Member.specialties.through, specialties), (Member.interests.through, interests)):
        for member_id, name in (
            through.objects.filter(member_id__in=pks).order_by("servicearea__name", "servicearea_id").values_list("member_id", "servicearea__name")
        ):
            names[member_id].append(name)
    return organisations, specialties, interests


def _cards(members, policy, relations: tuple[dict, dict, dict] | None = None) -> list[dict]:
    """What each member card shows, worked out here once rather than by template lookups per card.

    ``relations``: what ``_card_relations`` read for these members, when the caller has it already.
    """
    members = list(members)
    organisations, specialties, interests = relations or _card_relations([m.pk for m in members])
    url_of_sentinel = reverse("directory:member", kwargs={"pk": 987654321})  # reversed once per page, not per card
    cards = []
    for m in members:
        member_organisations = organisations.get(m.pk, ())
        cards.append({
            "member": m,
            "url": url_of_sentinel.replace("987654321", str(m.pk)),
            "name": m.display_name,
            "role": m.job_title or m.get_job_role_display(),
            "organisations": ", ".join(name for _pk, name in member_organisations),
            "specialties": ", ".join(specialties.get(m.pk, ())),
            "interests": ", ".join(interests.get(m.pk, ())),
            "contacts": contact_rows(policy, m, [pk for pk, _name in member_organisations]),
        })
    return cards


FILTER_FRAGMENTS = fragments.family("directory-filters")
LIST_FRAGMENTS = fragments.family("directory-list")


def _members_page(request, filters: dict, query_parts: tuple) -> Page:
    """The page of listed members the query string asks for, with everything their cards need.

    Which members are on the page, and how many match, is the same for every viewer: it is kept in the cache
    (with the list's family) as the count and the page's member ids, so a viewer class meeting the page for the
    first time reads 25 members by id instead of counting and sorting the whole directory again.
    """
    asked = request.GET.get("page", "")

    def compute() -> tuple[tuple[int, int, list[int]], None]:
        paginator = Paginator(filtered_members(filters).values_list("pk", flat=True), PAGE_SIZE)
        page = paginator.get_page(asked)
        return (paginator.count, page.number, list(page.object_list)), None

    count, number, pks = fragments.cached_value(LIST_FRAGMENTS, ("page", query_parts, asked), compute)
    found = {m.pk: m for m in _with_user(Member.objects.listed().filter(pk__in=pks))}
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = count  # known: Paginator.count is a cached property
    return Page([found[pk] for pk in pks if pk in found], number, paginator)


def _page_html(request, form: DirectoryFilterForm | None, with_filters: bool = True) -> tuple[str, str]:
    """The filter form and the results (count, page of member cards, pagination), rendered.

    ``form`` is None when the query string is empty (nothing to bind or validate: it is built only if rendered).
    A cached page answers in one round trip to Redis: both are kept together for the viewer's class.  Contact
    details differ by viewer, so a cached page is rendered for the viewer's class (whether they see everyone's
    details, and which organisations they share) and never with the right to see one's own details: a viewer
    whose own card is on the page gets it rendered for them alone.  What is the same for every viewer is cached
    apart from that and shared by every class: the filter form (its choices are organisations, localities and
    service areas, none of them private) and which members are on the page (``_members_page``).  A name search
    (free text) or a form with errors is rendered each time (the filter form only ``with_filters``).
    """
    policy = policy_for(request.user)
    filters = form.cleaned_data if form is not None and form.is_valid() else {}
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("partial", None)
    query_parts = tuple(sorted((k, tuple(v)) for k, v in query.lists()))

    def render_filters() -> str:
        return render_to_string("directory/includes/filters.html", {"form": form or DirectoryFilterForm()})

    loaded = []

    def page_of_members(searching: bool = False) -> Page:
        if not loaded:
            if searching:
                members = _with_user(filtered_members(filters))
                loaded.append(Paginator(members, PAGE_SIZE).get_page(request.GET.get("page")))
            else:
                loaded.append(_members_page(request, filters, query_parts))
        return loaded[0]

    def render_results(card_policy, searching: bool = False) -> tuple[str, list[int]]:
        page = page_of_members(searching)
        if len(loaded) == 1:  # the page's organisations and areas, read once even when the viewer's own card is redrawn
            loaded.append(_card_relations([member.pk for member in page.object_list]))
        cards = _cards(page.object_list, card_policy, loaded[1])
        suggested = areas_named_like(filters.get("q") or "") if searching and not cards else []
        html = render_to_string("directory/includes/results.html", {
            "page_obj": page, "cards": cards, "query_string": query.urlencode(), "suggested_areas": suggested, "searched": filters.get("q"),
        })
        return html, [card["member"].pk for card in cards]

    if form is not None and (not form.is_valid() or form.cleaned_data.get("q")):
        return render_filters() if with_filters else "", render_results(policy, searching=True)[0]
    viewer_class = ContactPolicy(None, policy.viewer_org_ids, policy.sees_everything, policy.is_member)
    parts = (
        viewer_class.sees_everything, viewer_class.is_member, tuple(sorted(viewer_class.viewer_org_ids)),
        query_parts, request.GET.get("page", ""),
    )
    filter_parts = sorted((k, tuple(v)) for k, v in request.GET.lists() if k in DirectoryFilterForm.base_fields)

    def render_page() -> tuple[tuple[str, tuple[str, list[int]]], None]:
        filters_html = fragments.cached_html(FILTER_FRAGMENTS, filter_parts, render_filters)
        return (str(filters_html), render_results(viewer_class)), None

    filters_html, (results_html, member_pks) = fragments.cached_value((LIST_FRAGMENTS, FILTER_FRAGMENTS), parts, render_page)
    if policy.viewer_member_pk in member_pks and not policy.sees_everything:
        results_html = render_results(policy)[0]  # the viewer's own card, with their own details, is never stored
    return mark_safe(filters_html), mark_safe(results_html)  # noqa: S308 - only our templates' output is stored


@member_required
def directory_list(request):
    form = DirectoryFilterForm(request.GET) if request.GET else None
    partial = request.GET.get("partial") == "1"  # the live name search asks for the results alone
    filters_html, results_html = _page_html(request, form, with_filters=not partial)
    if partial:
        return HttpResponse(results_html)
    return render(request, "directory/list.html", {
        "filters": filters_html,
        "results": results_html,
        "breadcrumbs": [HOME],
        "can_import": request.user.has_perm("directory.import_members"),
    })


@member_required
def export_csv(request):
    """The filtered directory as CSV, carrying only the contact details this viewer may see."""
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = _with_profile_data(filtered_members(filters))
    policy = policy_for(request.user)
    response = StreamingHttpResponse(members_csv_rows(members.iterator(chunk_size=500), policy), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pbc-directory-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _member_for_viewer(request, pk: int) -> Member:
    member = get_object_or_404(_with_profile_data(Member.objects.all()), pk=pk)
    listed = member.is_approved and member.user.is_active
    if not listed and not request.user.has_perm("directory.approve_member"):
        raise Http404("No member found")
    return member


@member_required
def member_detail(request, pk: int):
    member = _member_for_viewer(request, pk)
    policy = policy_for(request.user)
    return render(request, "directory/member.html", {
        "member": member,
        "contacts": contact_rows(policy, member),
        "is_self": member.user_id == request.user.pk,
        "can_manage": request.user.has_perm("directory.approve_member") and member.user_id != request.user.pk,
        "can_erase": request.user.has_perm("directory.erase_member") and member.user_id != request.user.pk,
        "breadcrumbs": [HOME, DIRECTORY],
    })


@member_required
def member_vcard_view(request, pk: int):
    member = _member_for_viewer(request, pk)
    if member.is_erased:
        raise Http404("No member found")
    response = HttpResponse(member_vcard(member, policy_for(request.user)), content_type="text/vcard; charset=utf-8")
    filename = slugify(member.display_name) or f"member-{member.pk}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    return response


@member_required
def my_profile(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404("You have no directory profile.")
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_profile(
                    member,
                    first_name=data["first_name"], last_name=data["last_name"], job_role=data["job_role"],
                    job_title=data["job_title"], organisations=data["organisations"], specialties=data["specialties"],
                    interests=data["interests"], bio=data["bio"], phone=data["phone"],
                    email_visibility=data["email_visibility"], phone_visibility=data["phone_visibility"],
                    photo=data["photo"], remove_photo=data["remove_photo"],
                )
            except services.PhotoRejected as refusal:
                form.add_error("photo", refusal.user_message)
            except services.DirectoryError as refusal:
                messages.error(request, refusal.user_message)
            else:
                messages.success(request, "Your profile has been saved.")
                return redirect("directory:me")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(member))
    return render(request, "directory/me.html", {"form": form, "member": member, "breadcrumbs": [HOME, DIRECTORY]})


@member_required
def my_data(request):
    """Everything held about the signed-in member, as a JSON download."""
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404("You have no directory profile.")
    body = json.dumps(services.personal_data(member), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-pbc-network-data-{timezone.localdate():%Y-%m-%d}.json"'
    return response


@member_required
def organisation_list(request):
    organisations = list(Organisation.objects.order_by("name"))
    children: dict[int | None, list] = {}
    for org in organisations:
        children.setdefault(org.parent_id, []).append(org)

    def tree(parent_id, depth=0):
        for org in children.get(parent_id, []):
            yield {"org": org, "depth": depth, "indent": depth * 2}
            yield from tree(org.pk, depth + 1)

    return render(request, "directory/organisations.html", {
        "rows": list(tree(None)), "breadcrumbs": [HOME, DIRECTORY],
    })


@member_required
def organisation_detail(request, slug: str):
    org = get_object_or_404(Organisation.objects.select_related("parent"), slug=slug)
    members = _with_user(Member.objects.listed().filter(organisations=org).order_by("user__last_name", "user__first_name"))
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    policy = policy_for(request.user)
    return render(request, "directory/organisation.html", {
        "org": org,
        "ancestors": list(reversed(org.ancestors())),
        "children": org.children.order_by("name"),
        "page_obj": page,
        "cards": _cards(page.object_list, policy),
        "query_string": "",
        "redesign_work": _redesign_work(getattr(org, "matrix_entries", None)),
        "breadcrumbs": [HOME, DIRECTORY, {"title": "Organisations", "url": reverse("directory:organisations")}],
    })


@member_required
def service_area(request, slug: str):
    """People working on one service area: its specialists first, then those with an interest."""
    area = get_object_or_404(ServiceArea, slug=slug)
    policy = policy_for(request.user)
    specialists = _with_user(Member.objects.listed().filter(specialties=area).order_by("user__last_name", "user__first_name"))
    interested = _with_user(
        Member.objects.listed().filter(interests=area).exclude(specialties=area).order_by("user__last_name", "user__first_name")
    )
    return render(request, "directory/area.html", {
        "area": area,
        "specialists": _cards(specialists[:200], policy),
        "interested": _cards(interested[:200], policy),
        "areas": ServiceArea.objects.all(),
        "redesign_work": _redesign_work(getattr(area, "matrix_entries", None)),
        "breadcrumbs": [HOME, DIRECTORY],
    })


# --- administration -----------------------------------------------------------------------------


@require_POST
@permission_required("directory.approve_member")
def deactivate_member(request, pk: int):
    return _change_sign_in(request, pk, services.deactivate_member, "{name} is deactivated and can no longer sign in.")


@require_POST
@permission_required("directory.approve_member")
def reactivate_member(request, pk: int):
    return _change_sign_in(request, pk, services.reactivate_member, "{name} can sign in again.")


def _change_sign_in(request, pk: int, operation, success_message: str):
    """An administrator stops a member signing in, or lets them again; a refusal is shown, never raised."""
    member = get_object_or_404(Member, pk=pk)
    try:
        operation(member, by=request.user)
    except services.DirectoryError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, success_message.format(name=member.display_name))
    return redirect("directory:member", pk=pk)


@permission_required("directory.erase_member")
def erase_member(request, pk: int):
    member = get_object_or_404(Member.objects.select_related("user"), pk=pk)
    if request.method == "POST":
        try:
            services.erase_member(member, by=request.user)
        except services.DirectoryError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, "The member's personal data has been erased. Their posts now show \"Former member\".")
            return redirect("directory:list")
    return render(request, "directory/erase.html", {"member": member, "breadcrumbs": [HOME, DIRECTORY, {"title": member.display_name, "url": member.get_absolute_url()}]})


@permission_required("directory.import_members")
def import_csv(request):
    form = CsvImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        importer = services.import_members_csv if form.cleaned_data["kind"] == "members" else services.import_organisations_csv
        try:
            imported = importer(form.cleaned_data["file"], by=request.user)
        except services.ImportRejected as refusal:
            messages.error(request, refusal.user_message)
            errors = refusal.errors
        else:
            messages.success(request, f"Imported {len(imported)} {form.cleaned_data['kind'] if len(imported) != 1 else form.cleaned_data['kind'][:-1]}.")
            return redirect("directory:import")
    return render(request, "directory/import.html", {
        "form": form, "errors": errors,
        "member_columns": services.MEMBER_COLUMNS, "organisation_columns": services.ORGANISATION_COLUMNS,
        "breadcrumbs": [HOME, DIRECTORY],
    }, status=400 if errors else 200)
