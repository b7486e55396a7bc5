"""Views for the re-design matrix and template library: they check, call a service, and explain refusals."""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from wagtail.documents.views.serve import serve as serve_document

from directory.models import Member, Organisation, ServiceArea
from directory.privacy import email_or_name, name_with_email, policy_for
from events.models import EventPage
from forum.models import Thread
from portal.core import fragments
from portal.core.fields import NHSDateField
from portal.core.csv_stream import csv_lines
from portal.core.permissions import is_member, member_required, not_found_or_sign_in, permission_required
from redesign import services
from redesign.business_case import build_business_case
from redesign.connections import entries_linked_to, entry_connections, entry_history, link_choices
from redesign.forms import (
    AttachmentForm,
    EntryForm,
    EntryStartForm,
    ImportForm,
    MatrixFilterForm,
    StageForm,
    TemplateForm,
    TemplateVersionForm,
)
from redesign.models import STALE_AFTER, CaseStudyPage, MatrixEntry, Stage, Template, TemplateVersion
from redesign.permissions import (
    can_add_template_version,
    can_edit_entry,
    can_manage_templates,
    can_record_for,
    organisations_for,
    visible_case_studies,
    visible_templates,
)
from search.queries import SIMILAR_KINDS, find_similar

PAGE_SIZE = 50


def _crumbs(*extra):
    return [{"title": "Home", "url": "/"}, {"title": "Service re-design", "url": reverse("redesign:matrix")}, *extra]


def _filters(request) -> MatrixFilterForm:
    form = MatrixFilterForm(request.GET or None)
    form.is_valid() if request.GET else None
    return form


def _filtered_entries(request, form=None):
    form = form or _filters(request)
    return form.filter(MatrixEntry.objects.all()), form


def _build_grid(entries, view: str):
    """The matrix: one aggregate query for the counts, one for the rows, one for the columns."""
    column_key = "stage" if view == "stages" else "organisation_id"
    counts = entries.order_by().values("service_area_id", column_key).annotate(n=Count("id"))
    cells: dict[tuple, int] = {}
    column_ids = set()
    for row in counts:
        cells[(row["service_area_id"], row[column_key])] = row["n"]
        column_ids.add(row[column_key])
    areas = list(ServiceArea.objects.all())
    if view == "stages":
        columns = [{"key": s.value, "label": s.label, "param": ("stage", s.value)} for s in Stage]
    else:
        columns = [
            {"key": o.pk, "label": o.name, "kind": o.get_kind_display(), "param": ("organisation", o.slug)}
            for o in Organisation.objects.filter(pk__in=column_ids).order_by("name")
        ]
    rows = []
    column_totals = defaultdict(int)
    for area in areas:
        row_cells = []
        for column in columns:
            n = cells.get((area.pk, column["key"]), 0)
            column_totals[column["key"]] += n
            row_cells.append({"count": n, "column": column})
        total = sum(c["count"] for c in row_cells)
        rows.append({"area": area, "cells": row_cells, "total": total})
    return {
        "rows": rows,
        "columns": [{**c, "total": column_totals[c["key"]]} for c in columns],
        "total": sum(cells.values()),
    }


def _link_cells(grid, form, request) -> None:
    """Give every non-empty cell a link to its entries, and every row its cells' HTML.

    A matrix has a cell per service area and organisation (460 at full size), so the per-cell work is done
    here in Python rather than by the template: each row's and column's parts of a link, and each escaped
    label, are worked out once, not once per cell (the template loop cost ~25 ms of CPU per page).
    """
    entries_url = reverse("redesign:entries")
    base_query = {k: v for k, v in request.GET.items() if k in form.fields and v and k != "service_area"}
    # A cell's link is urlencode(base_query without the column's parameter, then service_area, then the column's parameter).
    column_parts = {}
    for column in grid["columns"]:
        param, value = column["param"]
        column_parts[column["key"]] = (urlencode({k: v for k, v in base_query.items() if k != param}), urlencode({param: value}),
                                       escape(column["label"]))
    for row in grid["rows"]:
        area_part = urlencode({"service_area": row["area"].slug})
        area_name = escape(row["area"].name)
        html = []
        for cell in row["cells"]:
            before, column_part, label = column_parts[cell["column"]["key"]]
            count = cell["count"]
            if count:
                cell["url"] = url = f"{entries_url}?{'&'.join(part for part in (before, area_part, column_part) if part)}"
                html.append(f'<td class="redesign-cell" data-count="{count}"><a href="{escape(url)}">{count}'
                            f'<span class="nhsuk-u-visually-hidden"> {area_name} at {label}</span></a></td>')
            else:
                cell["url"] = ""
                html.append('<td class="redesign-cell" data-count="0"><span aria-hidden="true">–</span>'
                            '<span class="nhsuk-u-visually-hidden">None</span></td>')
        row["cells_html"] = mark_safe("\n      ".join(html))  # noqa: S308 - every value in it is escaped above


MATRIX_FRAGMENTS = fragments.family("redesign-matrix")


def _matrix_table(request, form: MatrixFilterForm | None, view: str) -> str:
    """The filter form and the table, rendered; cached for every member alike while no entry, area or organisation changes.

    Nothing in them depends on who is looking.  Filters on free text and on staleness (which moves with the clock) are
    not cached, and neither is a form with errors.  ``form`` is None when the query string is empty (an unbound form
    is then built only to render it).  One round trip to Redis answers a cached table (the table and its generation).
    """
    def render_table() -> tuple[str, None]:
        filters = form or MatrixFilterForm()
        grid = _build_grid(filters.filter(MatrixEntry.objects.all()), view)
        _link_cells(grid, filters, request)
        return render_to_string("redesign/includes/matrix_table.html", {"grid": grid, "form": filters, "view": view}), None

    if form is not None and form.is_bound and (not form.is_valid() or form.cleaned_data.get("q") or form.cleaned_data.get("stale")):
        return render_table()[0]
    parts = (view, *sorted((k, v) for k, v in request.GET.items() if k in MatrixFilterForm.base_fields))
    return mark_safe(fragments.cached_value(MATRIX_FRAGMENTS, parts, render_table))  # noqa: S308 - only our template's output is stored


@member_required
def matrix(request):
    """Service areas × organisations (or × stages), each count linking to its entries."""
    view = "stages" if request.GET.get("view") == "stages" else "organisations"
    form = _filters(request) if request.GET else None
    return render(request, "redesign/matrix.html", {
        "table": _matrix_table(request, form, view),
        "form": form,
        "view": view,
        "query": request.GET.urlencode(),
        "can_import": request.user.has_perm("redesign.import_entries"),
        "breadcrumbs": [{"title": "Home", "url": "/"}],
        "print_mode": request.GET.get("print") == "1",
    })


@member_required
def entry_list(request):
    entries, form = _filtered_entries(request)
    page = Paginator(entries.for_listing(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "redesign/entry_list.html", {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "stale_before": timezone.now() - STALE_AFTER,
        "breadcrumbs": _crumbs(),
    })


@member_required
def entry_print(request):
    """Every entry matching the filters on one page, laid out for paper."""
    entries, form = _filtered_entries(request)
    entries = list(entries.for_listing().prefetch_related("leads__organisations"))
    policy = policy_for(request.user)
    for entry in entries:
        entry.lead_labels = [name_with_email(policy, lead) for lead in entry.leads.all()]
    return render(request, "redesign/entry_print.html", {
        "entries": entries,
        "form": form,
        "printed_at": timezone.now(),
        "breadcrumbs": _crumbs(),
    })


EXPORT_COLUMNS = [
    "id", "organisation", "organisation_kind", "service_area", "title", "summary", "stage", "stop_reason", "leads",
    "start_date", "expected_go_live", "actual_go_live", "expected_savings", "realised_savings", "freed_up_resources",
    "ppi", "outcomes", "updated_at", "stale",
]


@member_required
def entry_export(request):
    """The filtered entries as CSV (streamed, so the whole region exports in constant memory)."""
    entries, _ = _filtered_entries(request)
    stale_before = timezone.now() - STALE_AFTER
    policy = policy_for(request.user)

    def rows():
        for e in entries.for_listing().prefetch_related("leads__organisations").iterator(chunk_size=500):
            yield [
                e.pk, e.organisation.name, e.organisation.get_kind_display(), e.service_area.name, e.title, e.summary,
                e.get_stage_display(), e.stop_reason, "; ".join(email_or_name(policy, m) for m in e.leads.all()),
                e.start_date or "", e.expected_go_live or "", e.actual_go_live or "", e.expected_savings or "",
                e.realised_savings or "", e.freed_up_resources or "", e.ppi, e.outcomes,
                timezone.localtime(e.updated_at).strftime("%Y-%m-%d %H:%M"),
                "yes" if e.stage not in ("evaluated", "stopped") and e.updated_at < stale_before else "no",
            ]

    response = StreamingHttpResponse(csv_lines(EXPORT_COLUMNS, rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="redesign-matrix-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@member_required
def entry_detail(request, pk: int):
    """One record per piece of work: its details, documents, templates, case studies, threads, events and leads."""
    entry = get_object_or_404(MatrixEntry.objects.for_listing(), pk=pk)
    editable = can_edit_entry(request.user, entry)
    connections = entry_connections(entry, request.user)
    return render(request, "redesign/entry_detail.html", {
        "entry": entry,
        "editable": editable,
        "history": entry_history(entry, request.user, connections),
        "stage_form": StageForm(entry=entry) if editable and entry.allowed_next_stages() else None,
        "attachment_form": AttachmentForm() if editable else None,
        "attachments": entry.documents.select_related("document"),
        "connections": connections,
        "link_choices": link_choices(entry, request.user) if editable else None,
        "similar": find_similar(entry, request.user, kinds=SIMILAR_KINDS),
        "breadcrumbs": _crumbs({"title": "All work", "url": reverse("redesign:entries")}),
    })


def _linkable(kind: str, pk: str, user):
    """The template, case study, thread or event ``pk`` of ``kind``, if ``user`` may see it."""
    querysets = {
        "template": lambda: visible_templates(Template.objects.all(), user),
        "case_study": lambda: visible_case_studies(CaseStudyPage.objects.all(), user),
        "thread": lambda: Thread.objects.readable_by(user).visible(),
        "event": lambda: EventPage.objects.visible_to(user),
    }
    if kind not in querysets or not str(pk).isdigit():
        raise Http404("Nothing to link.")
    return get_object_or_404(querysets[kind](), pk=pk)


def _url_of(obj) -> str:
    from wagtail.models import Page

    return obj.url if isinstance(obj, Page) else obj.get_absolute_url()


@require_POST
@member_required
def link(request):
    """Link (or with remove=1, unlink) a template, case study, thread or event to a piece of work, from either page."""
    obj = _linkable(request.POST.get("kind", ""), request.POST.get("pk", ""), request.user)
    back_to_item = request.POST.get("back") == "item"
    entry_pk = request.POST.get("entry", "")
    entry = MatrixEntry.objects.filter(pk=entry_pk).first() if entry_pk.isdigit() else None
    if entry is None:
        messages.error(request, "Choose the re-design work to link to.")
        return redirect(_url_of(obj))
    remove = request.POST.get("remove") == "1"
    try:
        changed = (services.unlink_from_entry if remove else services.link_to_entry)(entry, obj, actor=request.user)
    except services.NotAllowed as refusal:
        raise PermissionDenied(refusal.user_message) from None
    if changed:
        verb = "no longer linked to" if remove else "now linked to"
        messages.success(request, f"'{obj.title}' is {verb} '{entry.title}'.")
    return redirect(_url_of(obj) if back_to_item else entry.get_absolute_url())


def _existing_work(service_area, organisation):
    """Work on the same service area by other organisations, with leads: what to look at before starting."""
    return (
        MatrixEntry.objects.filter(service_area=service_area)
        .exclude(organisation=organisation)
        .for_listing()
        .order_by("-updated_at")[:50]
    )


def _draft_initial(data) -> dict:
    """A draft posted with "Check for similar work", as initial values: shown again as typed, not validated."""
    initial = {key: values if key == "leads" else values[-1] for key, values in data.lists()}
    for name, field in EntryForm.base_fields.items():
        if isinstance(field, NHSDateField):
            initial[name] = [data.get(f"{name}_{part}", "") for part in range(3)]
    return initial


@member_required
def entry_start(request):
    """Step one: choose the service area and organisation (a GET form, so it works without JavaScript)."""
    organisations = organisations_for(request.user)
    form = EntryStartForm(request.GET or None, organisations=organisations)
    if request.GET and form.is_valid():
        return redirect(f"{reverse('redesign:entry_new_details')}?{request.GET.urlencode()}")
    if not organisations.exists():
        messages.info(request, "You are not linked to a PbC cluster, consortium or PCT, so you cannot record work yet. Ask a network administrator.")
    return render(request, "redesign/entry_start.html", {
        "form": form,
        "breadcrumbs": _crumbs(),
    })


@member_required
def entry_create(request):
    """Step two: see existing work on the service area elsewhere in the region, then fill in the details."""
    start = EntryStartForm(request.GET, organisations=organisations_for(request.user))
    if not start.is_valid():
        return redirect(f"{reverse('redesign:entry_new')}?{request.GET.urlencode()}")
    area, organisation = start.cleaned_data["service_area"], start.cleaned_data["organisation"]
    if not can_record_for(request.user, organisation):
        raise PermissionDenied("You cannot record work for that organisation.")
    checked = request.method == "POST" and bool(request.POST.get("check_similar"))
    if checked:
        # "Check for similar work" (no JavaScript): nothing is saved; the draft comes back with what was found.
        form = EntryForm(initial=_draft_initial(request.POST), policy=policy_for(request.user))
    else:
        form = EntryForm(request.POST or None, initial={"leads": [request.user.member] if hasattr(request.user, "member") else []},
                         policy=policy_for(request.user))
    if request.method == "POST" and not checked and form.is_valid():
        data = dict(form.cleaned_data)
        leads = data.pop("leads")
        try:
            entry = services.create_entry(actor=request.user, organisation=organisation, service_area=area, leads=leads, **data)
        except services.RedesignError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, f"'{entry.title}' has been added to the matrix.")
            return redirect(entry)
    return render(request, "redesign/entry_form.html", {
        "form": form,
        "service_area": area,
        "organisation": organisation,
        "existing": _existing_work(area, organisation),
        "same_org": MatrixEntry.objects.filter(service_area=area, organisation=organisation).order_by("-updated_at")[:10],
        "checked": checked,
        "similar": find_similar(f"{request.POST.get('title', '')}\n{request.POST.get('summary', '')}", request.user, kinds=SIMILAR_KINDS)
        if checked else [],
        "breadcrumbs": _crumbs({"title": "Record new work", "url": reverse("redesign:entry_new")}),
    })


@member_required
def entry_edit(request, pk: int):
    entry = get_object_or_404(MatrixEntry.objects.select_related("organisation", "service_area"), pk=pk)
    if not can_edit_entry(request.user, entry):
        raise PermissionDenied("You can only change work recorded by your own organisation, or work you lead.")
    form = EntryForm(request.POST or None, instance=entry, policy=policy_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        leads = data.pop("leads")
        # The form has written to ``entry`` in memory; the service compares against the database.
        try:
            services.update_entry(entry, actor=request.user, leads=leads, **data)
        except services.RedesignError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect(entry)
    return render(request, "redesign/entry_edit.html", {
        "form": form,
        "entry": entry,
        "breadcrumbs": _crumbs({"title": entry.title, "url": entry.get_absolute_url()}),
    })


@require_POST
@member_required
def entry_stage(request, pk: int):
    entry = get_object_or_404(MatrixEntry, pk=pk)
    if not can_edit_entry(request.user, entry):
        raise PermissionDenied("You can only change work recorded by your own organisation, or work you lead.")
    form = StageForm(request.POST, entry=entry)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(entry)
    try:
        services.change_stage(entry, actor=request.user, to_stage=form.cleaned_data["to_stage"], reason=form.cleaned_data["reason"])
    except services.RedesignError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, "The stage has been updated.")
    return redirect(entry)


@require_POST
@member_required
def entry_attach(request, pk: int):
    entry = get_object_or_404(MatrixEntry, pk=pk)
    if not can_edit_entry(request.user, entry):
        raise PermissionDenied("You can only add documents to your own organisation's work.")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_document(entry, actor=request.user, title=form.cleaned_data["title"], upload=form.cleaned_data["file"])
        except services.RedesignError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, "The document has been attached.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(entry)


@member_required
def entry_business_case(request, pk: int):
    """A business-case draft (DOCX) following the 7-step method, pre-filled from the entry."""
    entry = get_object_or_404(MatrixEntry.objects.for_listing().prefetch_related("leads__organisations"), pk=pk)
    data = build_business_case(entry, policy_for(request.user))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    from django.utils.text import slugify

    response["Content-Disposition"] = f'attachment; filename="business-case-{slugify(entry.title)[:60] or entry.pk}.docx"'
    return response


@permission_required("redesign.import_entries")
def import_entries(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = services.import_entries_from_csv(form.cleaned_data["file"], actor=request.user)
        except services.ImportRejected as rejected:
            errors = rejected.errors
            messages.error(request, rejected.user_message)
        except services.RedesignError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, f"{len(created)} piece{'s' if len(created) != 1 else ''} of work imported.")
            return redirect("redesign:matrix")
    return render(request, "redesign/import.html", {
        "form": form,
        "errors": errors,
        "columns": services.CSV_COLUMNS,
        "breadcrumbs": _crumbs(),
    })


# --- template library ---------------------------------------------------------------------


def template_list(request):
    templates = visible_templates(Template.objects.all(), request.user).select_related("service_area", "organisation").prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.select_related("document"))
    )
    kind = request.GET.get("kind", "")
    if kind in Template.Kind.values:
        templates = templates.filter(kind=kind)
    return render(request, "redesign/template_list.html", {
        "templates": templates,
        "kinds": Template.Kind.choices,
        "kind": kind,
        "can_manage": can_manage_templates(request.user),
        "sees_members_templates": is_member(request.user),
        "breadcrumbs": _crumbs(),
    })


def _visible_template(request, pk: int) -> Template:
    """The template if this person may see it; a signed-out visitor is asked to sign in whether or not it exists."""
    template = visible_templates(Template.objects.filter(pk=pk), request.user).select_related("service_area", "organisation").first()
    if template is None:
        raise not_found_or_sign_in(request, "No such template.")
    return template


def template_detail(request, pk: int):
    template = _visible_template(request, pk)
    adapted_from = template.adapted_from
    return render(request, "redesign/template_detail.html", {
        "template": template,
        "versions": template.versions.select_related("document", "uploaded_by", "superseded_by"),
        "can_manage": can_manage_templates(request.user),
        "version_form": TemplateVersionForm() if can_add_template_version(request.user, template) else None,
        "adaptations": visible_templates(Template.objects.filter(adapted_from__template=template), request.user)
        .select_related("organisation", "created_by__member", "adapted_from").order_by("created_at"),
        "adapted_from": adapted_from,
        "original_current": adapted_from.template.current_version if adapted_from else None,
        "adapt_organisations": [o for o in organisations_for(request.user) if o.pk != template.organisation_id]
        if is_member(request.user) else [],
        "linked_entries": entries_linked_to(template, request.user),
        "similar": find_similar(template, request.user, kinds=SIMILAR_KINDS),
        "breadcrumbs": _crumbs({"title": "Templates", "url": reverse("redesign:templates")}),
    })


@member_required
def template_create(request):
    if not can_manage_templates(request.user):
        raise PermissionDenied("You do not have permission to add templates.")
    form = TemplateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload, notes = data.pop("file"), data.pop("notes")
        try:
            template = services.create_template(actor=request.user, upload=upload, notes=notes, **data)
        except services.RedesignError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, f"'{template.title}' has been added to the library.")
            return redirect(template)
    return render(request, "redesign/template_form.html", {
        "form": form,
        "breadcrumbs": _crumbs({"title": "Templates", "url": reverse("redesign:templates")}),
    })


@require_POST
@member_required
def template_add_version(request, pk: int):
    template = get_object_or_404(Template, pk=pk)
    if not can_add_template_version(request.user, template):
        raise PermissionDenied("Only members of the organisation that shares this template, or a network administrator, can upload a new version.")
    form = TemplateVersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.add_template_version(template, actor=request.user, upload=form.cleaned_data["file"], notes=form.cleaned_data["notes"])
        except services.RedesignError as refusal:
            messages.error(request, refusal.user_message)
        else:
            messages.success(request, f"Version {version.number} uploaded; earlier versions are marked superseded.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(template)


@require_POST
@member_required
def template_adapt(request, pk: int, number: int):
    """Make a copy of this version of a template for the member's cluster, recording where it came from."""
    template = _visible_template(request, pk)
    version = get_object_or_404(TemplateVersion, template=template, number=number)
    organisation = get_object_or_404(Organisation, pk=request.POST.get("organisation")) if request.POST.get("organisation", "").isdigit() else None
    member = getattr(request.user, "member", None)
    if member is None:
        raise PermissionDenied("Only members of the network can adapt templates.")
    try:
        copy = services.adapt_template(member, version, organisation=organisation)
    except services.NotAllowed as refusal:
        raise PermissionDenied(refusal.user_message) from None
    except services.RedesignError as refusal:
        messages.error(request, refusal.user_message)
        return redirect(template)
    messages.success(request, f"'{copy.title}' is your copy of version {version.number}. Upload your changes as new versions; "
                              "you will be told when the original changes.")
    return redirect(copy)


def template_download(request, pk: int, number: int):
    """Count the download, then hand over to Wagtail's document serve view (which applies its own checks)."""
    template = _visible_template(request, pk)
    version = get_object_or_404(TemplateVersion.objects.select_related("document"), template=template, number=number)
    services.count_download(version)
    response = serve_document(request, version.document.pk, version.document.filename)
    if response.get("Content-Encoding") == "None":  # Wagtail's sendfile writes None when it guesses no encoding
        del response["Content-Encoding"]
    return response
