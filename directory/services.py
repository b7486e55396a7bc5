"""Every change to who is in the network goes through these functions.

Views, the admin, management commands and the demo all call them, so the
rules (an allow-listed domain is approved at once, an invitation approves
its holder, approval grants the Members role and sends an e-mail) hold
whichever door a change comes in by.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from directory.areas.services import sync_declared_watches
from directory.errors import AlreadyDecided, DirectoryError, ImportRejected, InvitationInvalid, PhotoRejected  # noqa: F401 (re-exported)
from directory.models import AllowedDomain, Invitation, Member, Organisation, ServiceArea, Visibility
from directory.photos import clean_photo
from portal.core import audit
from portal.core.addresses import base_url
from portal.core.delivery import email_after_commit
from portal.core.roles import Role, grant_role, revoke_role
from search.services import index_object, remove_object

logger = logging.getLogger(__name__)
User = get_user_model()


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def domain_is_allowed(email: str) -> bool:
    domain = email_domain(email)
    # nhs.net on the list also covers sub-domains such as xyz.nhs.net? No:
    # the list names exact domains, so administrators decide each one.
    return AllowedDomain.objects.filter(domain=domain).exists()


def _send(subject: str, template: str, context: dict, to: str, key: str) -> None:
    """Queue one e-mail for after commit, sent once under ``key`` however often the task runs (portal/core/delivery.py)."""
    body = render_to_string(template, {**context, "base_url": base_url()})
    email_after_commit([(subject, body, to, key)])


@transaction.atomic
def register_member(
    user,
    *,
    job_role: str = "",
    organisation: Organisation | None = None,
    invitation_token: str | None = None,
) -> Member:
    """Create the member record for a new account, approved at once when the rules allow."""
    invitation = None
    if invitation_token:
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token=invitation_token, email__iexact=user.email, accepted_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
    approved = invitation is not None or domain_is_allowed(user.email)
    member, _ = Member.objects.get_or_create(user=user, defaults={"job_role": job_role})
    member.job_role = job_role or member.job_role
    if approved:
        member.status = Member.Status.APPROVED
        member.decided_at = timezone.now()
        member.decided_by = invitation.invited_by if invitation else None
    member.save()
    org = organisation or (invitation.organisation if invitation else None)
    if org is not None:
        member.organisations.add(org)
    if invitation is not None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    if approved:
        grant_role(user, Role.MEMBER)
    else:
        _notify_administrators_of_pending(member)
    return member


def _notify_administrators_of_pending(member: Member) -> None:
    admins = list(
        User.objects.filter(groups__name=str(Role.NETWORK_ADMIN), is_active=True).exclude(email="").values_list("pk", "email")
    )
    if not admins:
        return
    body = render_to_string(
        "directory/email/pending_member.txt", {"member": member, "base_url": base_url()}
    )
    email_after_commit(
        ("New member waiting for approval", body, email, f"directory.member.pending:{member.pk}:{admin_pk}")
        for admin_pk, email in admins
    )


@transaction.atomic
def approve_member(member: Member, *, by) -> Member:
    """Let a waiting member in: they get the Members role and an e-mail saying they can sign in."""
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.status == Member.Status.APPROVED:
        raise AlreadyDecided(f"{member.display_name} is already approved.")
    if member.status == Member.Status.ERASED:
        raise AlreadyDecided("This member's record has been erased.")
    member.status = Member.Status.APPROVED
    member.decided_at = timezone.now()
    member.decided_by = by
    member.save(update_fields=["status", "decided_at", "decided_by"])
    grant_role(member.user, Role.MEMBER, by=by)
    audit.record(by, "directory.member.approved", member)
    _send("Your PbC Network membership is approved", "directory/email/approved.txt", {"member": member}, member.user.email,
          f"directory.member.approved:{member.pk}:{member.decided_at.timestamp()}")
    logger.info("directory.member.approved member=%s by=%s", member.pk, getattr(by, "pk", None))
    return member


@transaction.atomic
def decline_member(member: Member, *, by, reason: str = "") -> Member:
    """Refuse a waiting member; they are told, and can no longer sign in to anything."""
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.status != Member.Status.PENDING:
        raise AlreadyDecided(f"{member.display_name} is not waiting for approval.")
    member.status = Member.Status.DECLINED
    member.decided_at = timezone.now()
    member.decided_by = by
    member.save(update_fields=["status", "decided_at", "decided_by"])
    revoke_role(member.user, Role.MEMBER, by=by)
    audit.record(by, "directory.member.declined", member, reason=reason)
    _send(
        "Your PbC Network membership request",
        "directory/email/declined.txt",
        {"member": member, "reason": reason},
        member.user.email,
        f"directory.member.declined:{member.pk}:{member.decided_at.timestamp()}",
    )
    return member


@transaction.atomic
def invite_member(email: str, *, by, organisation: Organisation | None = None) -> Invitation:
    """Invite someone by e-mail; signing up from the link approves them at once."""
    email = email.strip()
    if User.objects.filter(email__iexact=email).exists():
        raise DirectoryError(f"{email} already has an account.")
    invitation = Invitation.objects.create(email=email, invited_by=by, organisation=organisation)
    audit.record(by, "directory.invitation.sent", invitation, label=f"Invitation {invitation.pk}", organisation=getattr(organisation, "pk", None))
    _send(
        "You are invited to join the PbC Network portal",
        "directory/email/invitation.txt",
        {"invitation": invitation, "inviter": by},
        email,
        f"directory.invitation:{invitation.pk}",
    )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        raise InvitationInvalid("This invitation link has expired or has already been used. Ask a network administrator for a new one.")
    return invitation


# --- profiles -------------------------------------------------------------------------------------


def _reindex(member: Member) -> None:
    if member.is_approved and member.user.is_active:
        index_object(member)
    else:
        remove_object(member)


def _delete_file_after_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def update_profile(
    member: Member,
    *,
    first_name: str,
    last_name: str,
    job_role: str,
    job_title: str = "",
    organisations=(),
    specialties=(),
    interests=(),
    bio: str = "",
    phone: str = "",
    email_visibility: str = Visibility.MEMBERS,
    phone_visibility: str = Visibility.ORGANISATION,
    photo=None,
    remove_photo: bool = False,
) -> Member:
    """Save a member's own profile; a new photo is checked and re-encoded first (see ``directory.photos``).

    The photo is cleaned before anything is written, so a rejected photo
    changes nothing at all.
    """
    cleaned_photo = clean_photo(photo) if photo is not None else None
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.is_erased:
        raise DirectoryError("This member's record has been erased.")
    user = member.user
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    member.job_role, member.job_title, member.bio, member.phone = job_role, job_title.strip(), bio.strip(), phone.strip()
    member.email_visibility, member.phone_visibility = email_visibility, phone_visibility
    fields = ["job_role", "job_title", "bio", "phone", "email_visibility", "phone_visibility"]
    old_photo = member.photo.name if member.photo else ""
    storage = Member._meta.get_field("photo").storage
    new_photo = ""
    if cleaned_photo is not None:
        member.photo.save(cleaned_photo.name, cleaned_photo, save=False)
        new_photo = member.photo.name
        fields += ["photo", "photo_width", "photo_height"]
    elif remove_photo and old_photo:
        member.photo = None
        fields += ["photo", "photo_width", "photo_height"]
    try:
        member.save(update_fields=fields)
        member.organisations.set(organisations)
        member.specialties.set(specialties)
        member.interests.set(interests)
        sync_declared_watches(member)
    except Exception:
        # The file is written before the row; do not leave it behind when the row is not saved.
        if new_photo:
            storage.delete(new_photo)
        raise
    if "photo" in fields and old_photo:
        _delete_file_after_commit(storage, old_photo)
    logger.info("directory.profile.updated member=%s", member.pk)
    _reindex(member)
    return member


@transaction.atomic
def deactivate_member(member: Member, *, by) -> Member:
    """Stop a member signing in and remove them from the directory; their record stays."""
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.is_erased:
        raise AlreadyDecided("This member's record has been erased.")
    if not member.user.is_active:
        raise AlreadyDecided(f"{member.display_name} is already deactivated.")
    if by is not None and member.user_id == by.pk:
        raise DirectoryError("You cannot deactivate your own account.")
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    member.decided_at, member.decided_by = timezone.now(), by
    member.save(update_fields=["decided_at", "decided_by"])
    logger.info("directory.member.deactivated member=%s by=%s", member.pk, getattr(by, "pk", None))
    audit.record(by, "directory.member.deactivated", member)
    _reindex(member)
    return member


@transaction.atomic
def reactivate_member(member: Member, *, by) -> Member:
    """Let a deactivated member sign in again."""
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.is_erased:
        raise AlreadyDecided("This member's record has been erased.")
    if member.user.is_active:
        raise AlreadyDecided(f"{member.display_name} is already active.")
    member.user.is_active = True
    member.user.save(update_fields=["is_active"])
    logger.info("directory.member.reactivated member=%s by=%s", member.pk, getattr(by, "pk", None))
    audit.record(by, "directory.member.reactivated", member)
    _reindex(member)
    return member


@transaction.atomic
def erase_member(member: Member, *, by) -> Member:
    """Erase a member's personal data (a right-to-erasure request).

    The user and member rows stay, so the forum posts, bookings and re-design
    entries that point at them keep working and show "Former member"; every
    personal detail on them is blanked, their sign-in is disabled, their
    e-mail addresses, authenticators and invitations are deleted, their
    photo file is deleted after commit, and they leave the search index.
    """
    from allauth.account.models import EmailAddress

    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.is_erased:
        raise AlreadyDecided("This member's record has already been erased.")
    if by is not None and member.user_id == by.pk:
        raise DirectoryError("You cannot erase your own record. Ask another administrator.")
    user = member.user
    old_email = user.email
    photo_name = member.photo.name if member.photo else ""
    placeholder = f"erased-{member.pk}"
    user.first_name = user.last_name = ""
    user.email = f"{placeholder}@erased.invalid"
    user.username = placeholder
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    with audit.acting_as(by):
        user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    try:
        from allauth.mfa.models import Authenticator
    except ImportError:  # pragma: no cover - MFA is installed with allauth[mfa]
        pass
    else:
        Authenticator.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=old_email).delete()
    member.status = Member.Status.ERASED
    member.job_role = member.job_title = member.bio = member.phone = ""
    member.photo = None
    member.photo_width = member.photo_height = None
    member.email_visibility = member.phone_visibility = Visibility.ADMINS
    member.erased_at = timezone.now()
    member.decided_by = by
    member.save()
    member.organisations.clear()
    member.specialties.clear()
    member.interests.clear()
    if photo_name:
        _delete_file_after_commit(Member._meta.get_field("photo").storage, photo_name)
    _delete_sessions_after_commit(user.pk)
    logger.info("directory.member.erased member=%s by=%s", member.pk, getattr(by, "pk", None))
    audit.record(by, "directory.member.erased", member)

    remove_object(member)
    return member


def _delete_sessions_after_commit(user_pk: int) -> None:
    """Sign the erased person out everywhere (database sessions only; cache sessions expire)."""

    def delete() -> None:
        from django.contrib.sessions.models import Session

        if "django.contrib.sessions" not in settings.INSTALLED_APPS:
            return
        stale = []
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if str(session.get_decoded().get("_auth_user_id")) == str(user_pk):
                stale.append(session.pk)
        Session.objects.filter(pk__in=stale).delete()

    transaction.on_commit(delete)


def personal_data(member: Member) -> dict:
    """Everything the portal holds about a member, for their own download (subject access).

    Other apps add what they hold by providing ``<app>/personal_data.py`` with
    ``personal_data(user) -> dict``; it appears under the app's label.
    """
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    member = Member.objects.select_related("user").get(pk=member.pk)
    user = member.user
    data = {
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "is_active": user.is_active,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary} for a in EmailAddress.objects.filter(user=user)
            ],
        },
        "profile": {
            "status": member.get_status_display(),
            "job_role": member.get_job_role_display(),
            "job_title": member.job_title,
            "bio": member.bio,
            "phone": member.phone,
            "email_visibility": member.get_email_visibility_display(),
            "phone_visibility": member.get_phone_visibility_display(),
            "photo": member.photo.url if member.photo else None,
            "organisations": [o.name for o in member.organisations.all()],
            "specialties": [a.name for a in member.specialties.all()],
            "interests": [a.name for a in member.interests.all()],
            "joined_at": member.joined_at.isoformat(),
            "decided_at": member.decided_at.isoformat() if member.decided_at else None,
        },
        "invitations_sent": [
            {"email": i.email, "created_at": i.created_at.isoformat(), "accepted": i.accepted_at is not None}
            for i in Invitation.objects.filter(invited_by=user)
        ],
    }
    for config in apps.get_app_configs():
        if config.name != "directory" and module_has_submodule(config.module, "personal_data"):
            data[config.label] = import_module(f"{config.name}.personal_data").personal_data(user)
    return data


# --- CSV import -----------------------------------------------------------------------------------
# Both imports check every row first and write nothing unless every row is
# good; the error list names rows by their line in the spreadsheet (the
# header is row 1), so an administrator can fix the file and try again.

ORGANISATION_COLUMNS = ("name", "kind", "parent", "locality", "list_size", "code", "website")
MEMBER_COLUMNS = (
    "email", "first_name", "last_name", "job_role", "job_title", "organisations", "specialties", "interests",
    "phone", "email_visibility", "phone_visibility", "bio",
)
MAX_IMPORT_ROWS = 5000


def _read_csv(text: str, required: tuple[str, ...], known: tuple[str, ...]) -> list[tuple[int, dict]]:
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in headers]
    if missing:
        raise ImportRejected("The file's first row must name the columns.", [f"Row 1: missing column(s): {', '.join(missing)}."])
    unknown = [h for h in headers if h and h not in known]
    if unknown:
        raise ImportRejected("The file has columns we do not recognise.", [f"Row 1: unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(known)}."])
    reader.fieldnames = headers
    rows = []
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            raise ImportRejected("A row has more cells than there are columns.", [f"Row {number}: more cells than columns."])
        row = {k: (v or "").strip() for k, v in raw.items()}
        if any(row.values()):
            rows.append((number, row))
    if not rows:
        raise ImportRejected("The file has no rows to import.", ["The file has a header row but no data rows."])
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportRejected("The file is too long.", [f"Import at most {MAX_IMPORT_ROWS} rows at a time."])
    return rows


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().lower()
    for key, label in choices:
        if wanted in (key.lower(), str(label).lower()):
            return key
    return None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


@transaction.atomic
def import_organisations_csv(text: str, *, by) -> list[Organisation]:
    """Create or update organisations from CSV (name, kind, parent, locality, list_size, code, website).

    A parent may be an existing organisation or one earlier in the same file.
    An organisation with the same name and kind is updated rather than duplicated.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator
    from django.utils.text import slugify

    rows = _read_csv(text, ("name", "kind"), ORGANISATION_COLUMNS)
    errors: list[str] = []
    existing = {(o.name.lower(), o.kind): o for o in Organisation.objects.all()}
    by_name: dict[str, list] = {}
    for org in existing.values():
        by_name.setdefault(org.name.lower(), []).append(org)
    planned: list[tuple[int, dict]] = []
    seen: set[tuple[str, str]] = set()
    for number, row in rows:
        problems = []
        kind = _choice(row.get("kind", ""), Organisation.Kind.choices)
        if not row.get("name"):
            problems.append("name is empty")
        elif len(row["name"]) > 160:
            problems.append("name is longer than 160 characters")
        if kind is None:
            problems.append(f"kind \"{row.get('kind', '')}\" is not one of: {', '.join(k for k, _ in Organisation.Kind.choices)}")
        list_size = None
        if row.get("list_size"):
            if not row["list_size"].replace(",", "").isdigit():
                problems.append(f"list size \"{row['list_size']}\" is not a whole number")
            else:
                list_size = int(row["list_size"].replace(",", ""))
        if row.get("website"):
            try:
                URLValidator()(row["website"])
            except ValidationError:
                problems.append(f"website \"{row['website']}\" is not a web address")
        parent = None
        if row.get("parent"):
            candidates = by_name.get(row["parent"].lower(), [])
            if not candidates:
                problems.append(f"parent \"{row['parent']}\" is not an organisation in the directory or earlier in this file")
            elif kind is not None:
                allowed = Organisation.ALLOWED_PARENTS[Organisation.Kind(kind)]
                parent = next((c for c in candidates if c.kind in allowed), candidates[0])
        if row.get("name") and kind is not None:
            key = (row["name"].lower(), kind)
            if key in seen:
                problems.append(f"\"{row['name']}\" appears more than once in the file")
            seen.add(key)
            org = existing.get(key) or Organisation(name=row["name"], kind=kind)
            org.parent, org.list_size = parent, list_size
            org.locality, org.code, org.website = row.get("locality", ""), row.get("code", ""), row.get("website", "")
            if not problems:
                try:
                    org.clean()
                except ValidationError as invalid:
                    problems.extend(m.rstrip(".") for m in invalid.messages)
            by_name.setdefault(row["name"].lower(), []).append(org)
            planned.append((number, {"org": org}))
        if problems:
            errors.append(f"Row {number}: {'; '.join(problems)}.")
    if errors:
        raise ImportRejected(f"Nothing was imported: {len(errors)} row(s) have problems.", errors)
    slugs = set(Organisation.objects.values_list("slug", flat=True))
    saved = []
    for _number, plan in planned:
        org = plan["org"]
        if org.parent is not None and org.parent.pk is None:
            org.parent = Organisation.objects.get(name__iexact=org.parent.name, kind=org.parent.kind)
        if not org.pk:
            slug = base = slugify(org.name)[:150] or "organisation"
            suffix = 2
            while slug in slugs:
                slug = f"{base}-{suffix}"
                suffix += 1
            org.slug = slug
            slugs.add(slug)
        org.save()
        saved.append(org)
    logger.info("directory.organisations.imported count=%s by=%s", len(saved), getattr(by, "pk", None))
    audit.record(by, "directory.organisations.imported", count=len(saved))
    return saved


@transaction.atomic
def import_members_csv(text: str, *, by) -> list[Member]:
    """Create approved members from CSV; they set a password with "forgot password".

    Columns: email, first_name, last_name, job_role (required), job_title,
    organisations / specialties / interests (names separated by ";"), phone,
    email_visibility / phone_visibility (members, organisation, admins), bio.
    """
    from allauth.account.models import EmailAddress
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    rows = _read_csv(text, ("email", "first_name", "last_name", "job_role"), MEMBER_COLUMNS)
    orgs = {o.name.lower(): o for o in Organisation.objects.all()}
    areas = {a.name.lower(): a for a in ServiceArea.objects.all()}
    taken = {e.lower() for e in User.objects.values_list("email", flat=True)}
    errors: list[str] = []
    planned = []
    seen: set[str] = set()
    for number, row in rows:
        problems = []
        email = row.get("email", "")
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"e-mail \"{email}\" is not a valid address")
        else:
            if email.lower() in taken:
                problems.append(f"{email} already has an account")
            elif email.lower() in seen:
                problems.append(f"{email} appears more than once in the file")
            seen.add(email.lower())
        for column in ("first_name", "last_name"):
            if not row.get(column):
                problems.append(f"{column.replace('_', ' ')} is empty")
            elif len(row[column]) > 150:
                problems.append(f"{column.replace('_', ' ')} is longer than 150 characters")
        job_role = _choice(row.get("job_role", ""), Member.JobRole.choices)
        if job_role is None:
            problems.append(f"job role \"{row.get('job_role', '')}\" is not one of: {', '.join(str(l) for _, l in Member.JobRole.choices)}")
        member_orgs = []
        for name in _split(row.get("organisations", "")):
            if name.lower() in orgs:
                member_orgs.append(orgs[name.lower()])
            else:
                problems.append(f"organisation \"{name}\" is not in the directory")
        chosen = {}
        for column in ("specialties", "interests"):
            chosen[column] = []
            for name in _split(row.get(column, "")):
                if name.lower() in areas:
                    chosen[column].append(areas[name.lower()])
                else:
                    problems.append(f"service area \"{name}\" in {column} is not in the list of service areas")
        visibilities = {}
        for column in ("email_visibility", "phone_visibility"):
            value = row.get(column) or (Visibility.MEMBERS if column == "email_visibility" else Visibility.ORGANISATION)
            visibilities[column] = _choice(value, Visibility.choices)
            if visibilities[column] is None:
                problems.append(f"{column.replace('_', ' ')} \"{value}\" must be members, organisation or admins")
        if len(row.get("phone", "")) > 30:
            problems.append("phone is longer than 30 characters")
        if len(row.get("job_title", "")) > 120:
            problems.append("job title is longer than 120 characters")
        if problems:
            errors.append(f"Row {number}: {'; '.join(problems)}.")
        else:
            planned.append((row, job_role, member_orgs, chosen, visibilities))
    if errors:
        raise ImportRejected(f"Nothing was imported: {len(errors)} row(s) have problems.", errors)
    created = []
    for row, job_role, member_orgs, chosen, visibilities in planned:
        user = User.objects.create_user(
            username=_free_username(row["email"]), email=row["email"], first_name=row["first_name"], last_name=row["last_name"]
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=row["email"], verified=True, primary=True)
        member = Member.objects.create(
            user=user, status=Member.Status.APPROVED, job_role=job_role, job_title=row.get("job_title", ""),
            phone=row.get("phone", ""), bio=row.get("bio", ""), decided_at=timezone.now(), decided_by=by, **visibilities,
        )
        member.organisations.set(member_orgs)
        member.specialties.set(chosen["specialties"])
        member.interests.set(chosen["interests"])
        sync_declared_watches(member)
        grant_role(user, Role.MEMBER, by=by)
        _reindex(member)
        created.append(member)
    logger.info("directory.members.imported count=%s by=%s", len(created), getattr(by, "pk", None))
    audit.record(by, "directory.members.imported", count=len(created), member_ids=[m.pk for m in created])
    return created


def _free_username(email: str) -> str:
    base = email.split("@")[0][:140] or "member"
    candidate, n = base, 2
    while User.objects.filter(username=candidate).exists():
        candidate, n = f"{base}{n}", n + 1
    return candidate
