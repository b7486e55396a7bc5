"""Every change to re-design work, templates and attachments goes through here.

Each function is one atomic operation that checks the actor may do it,
records the change in ``EntryChange`` (who, when, which fields, which stage
move) and brings search up to date after commit.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.documents import get_document_model

from directory.areas.services import record_entry_started, record_stage_changed, record_template_added, record_template_version
from directory.models import Member, Organisation, ServiceArea
from events.models import EventPage
from forum.models import Thread
from forum.queries import may_moderate
from portal.core import audit
from portal.core.addresses import base_url
from portal.core.delivery import email_after_commit
from portal.core.outbox import enqueue_on_commit
from portal.core.realtime import notify_user
from portal.core.uploads import validate_upload
from redesign.models import (
    CLOSED_STAGES,
    REMIND_AGAIN_AFTER,
    STAGE_TRANSITIONS,
    AdaptationNotice,
    Audience,
    CaseStudyPage,
    EntryChange,
    EntryDocument,
    MatrixEntry,
    Stage,
    Template,
    TemplateVersion,
)
from redesign.permissions import (
    can_add_template_version,
    can_edit_entry,
    can_file_template_for,
    can_manage_templates,
    can_record_for,
    editable_organisation_ids,
)
from search.services import index_object, remove_object


class RedesignError(Exception):
    """Base of every refusal in this app; ``user_message`` is shown to the member."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message


class NotAllowed(RedesignError):
    pass


class InvalidEntry(RedesignError):
    pass


class InvalidTransition(RedesignError):
    pass


class UploadRefused(RedesignError):
    pass


class ImportRejected(RedesignError):
    """A CSV import with errors: nothing was imported. ``errors`` is a list of (row number, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__(f"Nothing was imported: {len(errors)} problem{'s' if len(errors) != 1 else ''} found.")


# The fields of an entry a member edits; the history records changes to these.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "start_date",
    "expected_go_live",
    "actual_go_live",
    "expected_savings",
    "realised_savings",
    "freed_up_resources",
    "ppi",
    "outcomes",
)


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (Organisation, ServiceArea)):
        return value.name
    return str(value)


def _lead_names(members) -> str:
    return ", ".join(sorted(m.display_name for m in members))


@transaction.atomic
def create_entry(
    *,
    actor,
    organisation: Organisation,
    service_area: ServiceArea,
    title: str,
    leads=(),
    stage: str = Stage.IDEA,
    **fields,
) -> MatrixEntry:
    """Record a new piece of re-design work for ``organisation``."""
    if not can_record_for(actor, organisation):
        raise NotAllowed(f"You cannot record work for {organisation.name}.")
    if stage == Stage.STOPPED:
        raise InvalidEntry("New work cannot start as stopped.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidEntry(f"Unknown fields: {', '.join(sorted(unknown))}.")
    now = timezone.now()
    entry = MatrixEntry(
        organisation=organisation, service_area=service_area, title=title, stage=stage, created_by=actor,
        created_at=now, updated_at=now, **fields,
    )
    _full_clean(entry)
    entry.save()
    leads = list(leads)
    entry.leads.set(leads)
    EntryChange.objects.create(
        entry=entry,
        actor=actor,
        at=now,
        action="redesign.entry.created",
        changes={
            "title": ["", title],
            "organisation": ["", organisation.name],
            "service_area": ["", service_area.name],
            "leads": ["", _lead_names(leads)],
        },
        to_stage=stage,
    )
    record_entry_started(entry, actor=actor)
    index_object(entry)
    return entry


def _full_clean(entry: MatrixEntry) -> None:
    try:
        entry.full_clean(exclude=["leads"], validate_unique=False)
    except ValidationError as error:
        messages = [f"{field.replace('_', ' ')}: {' '.join(errs)}" for field, errs in error.message_dict.items()]
        raise InvalidEntry("; ".join(messages)) from None


@transaction.atomic
def update_entry(entry: MatrixEntry, *, actor, leads=None, **changes) -> MatrixEntry:
    """Change an entry's details; the stage changes only through ``change_stage``."""
    entry = MatrixEntry.objects.select_for_update().get(pk=entry.pk)
    if not can_edit_entry(actor, entry):
        raise NotAllowed("You can only change work recorded by your own organisation, or work you lead.")
    for key in ("organisation", "service_area"):
        if key in changes:
            value = changes.pop(key)
            if getattr(entry, f"{key}_id") != value.pk:
                if key == "organisation" and not can_record_for(actor, value):
                    raise NotAllowed(f"You cannot move work to {value.name}.")
                changes[key] = value
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"organisation", "service_area"}
    if unknown:
        raise InvalidEntry(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    diff: dict[str, list[str]] = {}
    for key, value in changes.items():
        old = getattr(entry, key)
        if _display(old) != _display(value):
            diff[key] = [_display(old), _display(value)]
            setattr(entry, key, value)
    if leads is not None:
        leads = list(leads)
        old_leads = list(entry.leads.select_related("user"))
        if {m.pk for m in old_leads} != {m.pk for m in leads}:
            diff["leads"] = [_lead_names(old_leads), _lead_names(leads)]
            entry.leads.set(leads)
    if not diff:
        return entry
    _full_clean(entry)
    entry.updated_at = timezone.now()
    entry.save(update_fields=[k for k in diff if k != "leads"] + ["updated_at"])
    EntryChange.objects.create(entry=entry, actor=actor, at=entry.updated_at, action="redesign.entry.updated", changes=diff)
    index_object(entry)
    return entry


@transaction.atomic
def change_stage(entry: MatrixEntry, *, actor, to_stage: str, reason: str = "") -> MatrixEntry:
    """Move work to another stage; only the moves in ``STAGE_TRANSITIONS``, and stopping needs a reason."""
    entry = MatrixEntry.objects.select_for_update().get(pk=entry.pk)
    if not can_edit_entry(actor, entry):
        raise NotAllowed("You can only change work recorded by your own organisation, or work you lead.")
    try:
        target = Stage(to_stage)
    except ValueError:
        raise InvalidTransition(f"{to_stage!r} is not a stage.") from None
    current = Stage(entry.stage)
    if target not in STAGE_TRANSITIONS[current]:
        allowed = ", ".join(Stage(s).label.lower() for s in STAGE_TRANSITIONS[current]) or "nowhere: it is finished"
        raise InvalidTransition(f"Work at '{current.label}' cannot move to '{target.label}'. It can move to {allowed}.")
    reason = (reason or "").strip()
    if target == Stage.STOPPED and not reason:
        raise InvalidTransition("Say why the work was stopped, so others can learn from it.")
    entry.stage = target
    entry.stop_reason = reason if target == Stage.STOPPED else ""
    entry.updated_at = timezone.now()
    if target == Stage.LIVE and entry.actual_go_live is None:
        entry.actual_go_live = timezone.localdate()
    entry.save(update_fields=["stage", "stop_reason", "updated_at", "actual_go_live"])
    EntryChange.objects.create(
        entry=entry,
        actor=actor,
        at=entry.updated_at,
        action="redesign.entry.stage_changed",
        changes={"stage": [current.label, target.label]},
        from_stage=current,
        to_stage=target,
        reason=reason,
    )
    record_stage_changed(entry, actor=actor, from_label=current.label, to_label=target.label)
    index_object(entry)
    return entry


@transaction.atomic
def delete_entry(entry: MatrixEntry, *, actor) -> None:
    """Remove an entry recorded in error (administrators only)."""
    if not actor.has_perm("redesign.change_any_entry"):
        raise NotAllowed("Only network administrators can delete work from the matrix.")
    remove_object(entry)
    entry.delete()


# --- attachments --------------------------------------------------------------------------


def _store_document(*, title: str, upload, actor):
    try:
        validate_upload(upload)
    except ValidationError as error:
        raise UploadRefused(" ".join(error.messages)) from None
    Document = get_document_model()
    document = Document(title=title, uploaded_by_user=actor)
    upload.seek(0)
    document.file.save(upload.name, ContentFile(upload.read()), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


@transaction.atomic
def attach_document(entry: MatrixEntry, *, actor, title: str, upload) -> EntryDocument:
    """Attach a checked document (business case, specification …) to an entry."""
    if not can_edit_entry(actor, entry):
        raise NotAllowed("You can only add documents to your own organisation's work.")
    document = _store_document(title=title, upload=upload, actor=actor)
    attachment = EntryDocument.objects.create(entry=entry, document=document, added_by=actor)
    MatrixEntry.objects.filter(pk=entry.pk).update(updated_at=timezone.now())
    EntryChange.objects.create(
        entry=entry, actor=actor, action="redesign.entry.document_added", changes={"documents": ["", document.title]}
    )
    return attachment


# --- CSV import ---------------------------------------------------------------------------

CSV_COLUMNS = [
    "organisation",
    "service_area",
    "title",
    "summary",
    "stage",
    "stop_reason",
    "leads",
    "start_date",
    "expected_go_live",
    "actual_go_live",
    "expected_savings",
    "realised_savings",
    "freed_up_resources",
    "ppi",
    "outcomes",
]
REQUIRED_COLUMNS = {"organisation", "service_area", "title"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y")


@dataclass
class _Row:
    number: int
    organisation: Organisation
    service_area: ServiceArea
    stage: str
    leads: list[Member]
    fields: dict


def _parse_date(value: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date (use 2008-04-10 or 10/04/2008)")


def _parse_money(value: str) -> Decimal:
    cleaned = value.replace("£", "").replace(",", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not an amount in pounds") from None
    if amount < 0 or amount.as_tuple().exponent < -2:
        raise ValueError(f"'{value}' is not an amount in pounds")
    return amount


def _stage_from(value: str) -> str:
    wanted = value.strip().lower()
    for stage in Stage:
        if wanted in (stage.value, stage.label.lower()):
            return stage.value
    raise ValueError(f"'{value}' is not a stage (use one of: {', '.join(s.label for s in Stage)})")


@transaction.atomic
def import_entries_from_csv(source, *, actor) -> list[MatrixEntry]:
    """Import the region's summary forms from CSV: every row is checked first, and any error imports nothing.

    ``source`` is text, bytes or a file.  Rows are numbered as a spreadsheet
    shows them (the header is row 1).  Organisations and service areas are
    matched by name; leads by e-mail address separated by ``;``.
    """
    if not actor.has_perm("redesign.import_entries"):
        raise NotAllowed("Only network administrators can import the matrix.")
    if hasattr(source, "read"):
        source = source.read()
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected([(1, "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")]) from None
    reader = csv.DictReader(io.StringIO(source))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise ImportRejected([(1, f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(sorted(missing))}.")])
    unknown = set(header) - set(CSV_COLUMNS)
    if unknown:
        raise ImportRejected([(1, f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))}.")])

    orgs = {o.name.lower(): o for o in Organisation.objects.commissioning()}
    areas = {a.name.lower(): a for a in ServiceArea.objects.all()}
    members = {m.user.email.lower(): m for m in Member.objects.approved().select_related("user")}

    errors: list[tuple[int, str]] = []
    rows: list[_Row] = []
    for number, raw in enumerate(reader, start=2):
        raw = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(raw.values()):
            continue
        problems: list[str] = []
        org = orgs.get(raw.get("organisation", "").lower())
        if org is None:
            problems.append(f"organisation '{raw.get('organisation', '')}' is not a cluster, consortium or PCT in the directory")
        elif not can_record_for(actor, org):
            problems.append(f"you cannot record work for {org.name}")
        area = areas.get(raw.get("service_area", "").lower())
        if area is None:
            problems.append(f"service area '{raw.get('service_area', '')}' is not in the list of service areas")
        if not raw.get("title"):
            problems.append("the title is empty")
        elif len(raw["title"]) > 200:
            problems.append("the title is longer than 200 characters")
        stage = Stage.IDEA.value
        if raw.get("stage"):
            try:
                stage = _stage_from(raw["stage"])
            except ValueError as error:
                problems.append(str(error))
        if stage == Stage.STOPPED and not raw.get("stop_reason"):
            problems.append("stopped work needs a stop_reason")
        leads = []
        for email in filter(None, (e.strip().lower() for e in raw.get("leads", "").split(";"))):
            if email in members:
                leads.append(members[email])
            else:
                problems.append(f"lead '{email}' is not an approved member")
        fields: dict = {"summary": raw.get("summary", ""), "ppi": raw.get("ppi", ""), "outcomes": raw.get("outcomes", "")}
        for key in ("start_date", "expected_go_live", "actual_go_live"):
            if raw.get(key):
                try:
                    fields[key] = _parse_date(raw[key])
                except ValueError as error:
                    problems.append(f"{key.replace('_', ' ')}: {error}")
        for key in ("expected_savings", "realised_savings", "freed_up_resources"):
            if raw.get(key):
                try:
                    fields[key] = _parse_money(raw[key])
                except ValueError as error:
                    problems.append(f"{key.replace('_', ' ')}: {error}")
        if problems:
            errors.extend((number, problem[0].upper() + problem[1:] + ".") for problem in problems)
            continue
        fields["title"] = raw["title"]
        fields["stop_reason"] = raw.get("stop_reason", "") if stage == Stage.STOPPED else ""
        rows.append(_Row(number, org, area, stage, leads, fields))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([(2, "The file has no rows to import.")])

    now = timezone.now()
    created = []
    for row in rows:
        entry = MatrixEntry.objects.create(
            organisation=row.organisation, service_area=row.service_area, stage=row.stage, created_by=actor,
            created_at=now, updated_at=now, **row.fields,
        )
        entry.leads.set(row.leads)
        created.append(entry)
    EntryChange.objects.bulk_create(
        [
            EntryChange(entry=entry, actor=actor, at=now, action="redesign.entry.imported", to_stage=entry.stage,
                        changes={"title": ["", entry.title]})
            for entry in created
        ],
        batch_size=500,
    )
    for entry in created:
        index_object(entry)
    return created


# --- staleness ----------------------------------------------------------------------------



def remind_stale_entries(now: datetime | None = None) -> int:
    """E-mail each lead of stale open work (one message per lead), at most once a month per entry.

    Returns how many e-mails were sent.  Runs as background work (see
    ``redesign.tasks``); the e-mails are queued once the reminder times are stored,
    each under its own key, so a retried send never repeats one.
    """
    now = now or timezone.now()
    with transaction.atomic():
        entries = list(
            MatrixEntry.objects.stale(now)
            .exclude(last_reminded_at__gte=now - REMIND_AGAIN_AFTER)
            .select_for_update(of=("self",))
            .select_related("organisation", "service_area")
        )
        if not entries:
            return 0
        by_lead: dict[int, tuple[Member, list[MatrixEntry]]] = {}
        leads_of = MatrixEntry.leads.through.objects.filter(matrixentry_id__in=[e.pk for e in entries]).select_related("member__user")
        entry_by_pk = {e.pk: e for e in entries}
        for link in leads_of:
            member = link.member
            if not member.is_approved or not member.user.is_active or not member.user.email:
                continue
            by_lead.setdefault(member.pk, (member, []))[1].append(entry_by_pk[link.matrixentry_id])
        MatrixEntry.objects.filter(pk__in=[e.pk for e in entries]).update(last_reminded_at=now)
        messages = []
        for member, their_entries in by_lead.values():
            their_entries.sort(key=lambda e: e.updated_at)
            context = {"member": member, "entries": their_entries, "base_url": base_url(), "days": (now - their_entries[0].updated_at).days}
            subject = (
                f"Is this still current? {their_entries[0].title}"
                if len(their_entries) == 1
                else f"Is this still current? {len(their_entries)} pieces of re-design work"
            )
            body = render_to_string("redesign/email/stale_reminder.txt", context)
            messages.append((subject, body, member.user.email, f"redesign.stale:{now.isoformat()}:m{member.pk}"))
        email_after_commit(messages)
    return len(messages)


# --- template library ---------------------------------------------------------------------


@transaction.atomic
def create_template(*, actor, title: str, kind: str, upload, description: str = "", service_area=None, organisation=None,
                    licence: str = "", audience: str = "members", notes: str = "") -> Template:
    """Add a template to the library with its first version."""
    if not can_manage_templates(actor):
        raise NotAllowed("You do not have permission to add templates.")
    if not can_file_template_for(actor, organisation):
        raise NotAllowed(f"You cannot share a template as {organisation.name}'s." if organisation is not None
                         else "Choose the organisation that is sharing this template.")
    if kind not in Template.Kind.values:
        raise RedesignError(f"{kind!r} is not a kind of template.")
    template = Template.objects.create(
        title=title, kind=kind, description=description, service_area=service_area, organisation=organisation,
        licence=licence, audience=audience, created_by=actor,
    )
    document = _store_document(title=f"{title} (version 1)", upload=upload, actor=actor)
    TemplateVersion.objects.create(template=template, number=1, document=document, notes=notes or "First version", uploaded_by=actor)
    record_template_added(template, actor=actor)
    index_object(template)
    return template


@transaction.atomic
def add_template_version(template: Template, *, actor, upload, notes: str = "") -> TemplateVersion:
    """Upload a new version; the current one is marked superseded and stays downloadable."""
    if not can_add_template_version(actor, template):
        raise NotAllowed("Only members of the organisation that shares this template, or a network administrator, can upload a new version.")
    template = Template.objects.select_for_update().get(pk=template.pk)
    current = template.versions.filter(superseded_at__isnull=True).order_by("-number").first()
    number = (template.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    document = _store_document(title=f"{template.title} (version {number})", upload=upload, actor=actor)
    now = timezone.now()
    version = TemplateVersion.objects.create(template=template, number=number, document=document, notes=notes, uploaded_by=actor, uploaded_at=now)
    if current is not None:
        current.superseded_at = now
        current.superseded_by = version
        current.save(update_fields=["superseded_at", "superseded_by"])
    template.updated_at = now
    template.save(update_fields=["updated_at"])
    record_template_version(version, actor=actor)
    index_object(template)
    if template.versions.filter(adaptations__isnull=False).exists():
        enqueue_on_commit("redesign.tasks.notify_adapters", version.pk)
    return version


def count_download(version: TemplateVersion) -> None:
    """Count one download of a template (any version counts towards the template)."""
    Template.objects.filter(pk=version.template_id).update(download_count=F("download_count") + 1)


# --- connected knowledge: links from a piece of work to what belongs to it ------------------

# The things an entry links to, by the relation on ``MatrixEntry`` that holds them.
LINKABLE = {"template": "templates", "case_study": "case_studies", "thread": "threads", "event": "events"}
LINK_LABELS = {"template": "template", "case_study": "case study", "thread": "forum thread", "event": "event"}


def link_kind(obj) -> str:
    """Which kind of link ``obj`` makes ("template", "case_study", "thread" or "event")."""
    for kind, model in (("template", Template), ("case_study", CaseStudyPage), ("thread", Thread), ("event", EventPage)):
        if isinstance(obj, model):
            return kind
    raise InvalidEntry(f"{type(obj).__name__} cannot be linked to re-design work.")


def can_link(actor, entry: MatrixEntry, obj) -> bool:
    """Those who may edit the entry may link anything to it; a thread's author (or a moderator) may tag the thread."""
    if can_edit_entry(actor, entry):
        return True
    if link_kind(obj) == "thread":
        member = getattr(actor, "member", None)
        return member is not None and member.is_approved and (obj.author_id == member.pk or may_moderate(actor))
    return False


def _set_link(entry: MatrixEntry, obj, *, actor, linked: bool) -> bool:
    kind = link_kind(obj)
    if not can_link(actor, entry, obj):
        raise NotAllowed("You can only link things to work recorded by your own organisation, work you lead, or your own threads.")
    entry = MatrixEntry.objects.select_for_update().get(pk=entry.pk)
    relation = getattr(entry, LINKABLE[kind])
    exists = relation.filter(pk=obj.pk).exists()
    if exists == linked:
        return False
    (relation.add if linked else relation.remove)(obj)
    now = timezone.now()
    entry.updated_at = now
    entry.save(update_fields=["updated_at"])
    label = f"{LINK_LABELS[kind]}: {obj.title}"
    EntryChange.objects.create(
        entry=entry, actor=actor, at=now, action="redesign.entry.linked" if linked else "redesign.entry.unlinked",
        changes={LINKABLE[kind]: ["", label] if linked else [label, "removed"]},
    )
    if actor.has_perm("redesign.change_any_entry") or actor.has_perm("forum.moderate_forum"):
        audit.record(actor, f"redesign.entry.{'linked' if linked else 'unlinked'}", entry, kind=kind, pk=obj.pk, title=obj.title)
    return True


@transaction.atomic
def link_to_entry(entry: MatrixEntry, obj, *, actor) -> bool:
    """Link a template, case study, forum thread or event to a piece of work; both pages then show it.

    Returns False when it was already linked (nothing changes and nothing is recorded).
    """
    return _set_link(entry, obj, actor=actor, linked=True)


@transaction.atomic
def unlink_from_entry(entry: MatrixEntry, obj, *, actor) -> bool:
    """Remove a link made by ``link_to_entry``; returns False when there was none."""
    return _set_link(entry, obj, actor=actor, linked=False)


# --- template lineage ---------------------------------------------------------------------


def _copy_document(document, *, title: str, actor):
    Document = get_document_model()
    copy = Document(title=title, uploaded_by_user=actor)
    with document.file.open("rb") as source:
        copy.file.save(document.filename, ContentFile(source.read()), save=False)
    copy._set_document_file_metadata()
    copy.save()
    return copy


@transaction.atomic
def adapt_template(member: Member, template_version: TemplateVersion, *, organisation: Organisation | None = None,
                   title: str = "") -> Template:
    """Make ``organisation``'s own copy of a template, recording the exact version it came from.

    The copy starts as version 1 holding the same file; the member's cluster
    changes it by uploading new versions.  When the original gets a new
    version, the adapter is told (``notify_adapters``).
    """
    user = member.user
    if organisation is None:
        ids = sorted(editable_organisation_ids(user))
        if not ids:
            raise NotAllowed("You are not linked to a PbC cluster, consortium or PCT, so you cannot adapt templates.")
        organisation = Organisation.objects.get(pk=ids[0])
    if not can_record_for(user, organisation):
        raise NotAllowed(f"You cannot adapt templates for {organisation.name}.")
    version = TemplateVersion.objects.select_related("template", "document").get(pk=template_version.pk)
    original = version.template
    if original.organisation_id == organisation.pk:
        raise RedesignError(f"{original.title} already belongs to {organisation.name}: upload a new version instead.")
    title = (title or f"{original.title} ({organisation.name})").strip()[:200]
    now = timezone.now()
    copy = Template.objects.create(
        title=title, kind=original.kind, description=original.description, service_area=original.service_area,
        organisation=organisation, licence=original.licence, audience=Audience.MEMBERS, adapted_from=version,
        created_by=user, created_at=now, updated_at=now,
    )
    document = _copy_document(version.document, title=f"{title} (version 1)", actor=user)
    TemplateVersion.objects.create(
        template=copy, number=1, document=document, uploaded_by=user, uploaded_at=now,
        notes=f"Adapted from {original.title}, version {version.number}",
    )
    index_object(copy)
    return copy


def notify_adapters_of(version_id: int) -> int:
    """Tell everyone who adapted an earlier version of this template that a new version exists.

    Idempotent: each (adapted copy, new version) gets one ``AdaptationNotice``
    row, written before its e-mail is handed over, so a second run sends
    nothing.  Returns how many adapters were told.
    """
    version = TemplateVersion.objects.select_related("template").filter(pk=version_id).first()
    if version is None:
        return 0
    adaptations = (
        Template.objects.filter(adapted_from__template=version.template, adapted_from__number__lt=version.number)
        .select_related("adapted_from", "created_by", "organisation")
    )
    messages = []
    with transaction.atomic():
        for copy in adaptations:
            notice, created = AdaptationNotice.objects.get_or_create(
                adaptation=copy, version=version, defaults={"recipient": copy.created_by}
            )
            user = copy.created_by
            if not created or user is None or not user.is_active or not user.email:
                continue
            context = {"copy": copy, "original": version.template, "version": version, "base_url": base_url()}
            subject = f"New version of {version.template.title}: you adapted version {copy.adapted_from.number}"
            messages.append((subject, render_to_string("redesign/email/new_template_version.txt", context), user.email,
                             f"redesign.adaptation_notice.{notice.pk}"))
            notify_user(user.pk, {
                "kind": "template_version", "url": copy.get_absolute_url(),
                "text": f"{version.template.title} has a new version ({version.number}); your copy came from version {copy.adapted_from.number}",
            })

        email_after_commit(messages)
    return len(messages)
