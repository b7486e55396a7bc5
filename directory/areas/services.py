"""Following service areas and telling followers what moved: every change goes through here.

The apps whose work belongs to a service area call ``record_*`` inside their
own transaction; the movement is stored with the change, and background work
(``directory.areas.tasks.notify_area_followers``) tells the followers after commit.
Whether a follower may see what moved is decided then, at send time, by
``may_see``: a thread hidden or a case study unpublished in between reaches
nobody, and a moderators' board never reaches ordinary members.

Service areas sit below the apps whose work moves (the forum, re-design work)
and import neither: each of those says, in its AppConfig.ready, who may see
its kind of subject (``register_subject``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from directory.areas.models import Movement, ServiceAreaWatch
from directory.models import Member, ServiceArea
from portal.core.notifications import Notification, notify_about_movement
from portal.core.outbox import enqueue_on_commit
from portal.core.permissions import is_member


class AreasError(Exception):
    """Base of this app's refusals; ``user_message`` is shown to the member as it is."""

    user_message = "That could not be done."

    def __init__(self, user_message: str | None = None):
        if user_message:
            self.user_message = user_message
        super().__init__(self.user_message)


class NotAllowed(AreasError):
    user_message = "Only approved members can follow service areas."


# --- following ---------------------------------------------------------------------------------------


def _require_member(member: Member) -> None:
    if not member.is_approved or not member.user.is_active:
        raise NotAllowed()


@transaction.atomic
def sync_declared_watches(member: Member) -> list[ServiceAreaWatch]:
    """Start a watch for each declared specialty and interest the member has no watch on yet.

    Called whenever a profile's specialties or interests are saved.  A watch
    the member switched off stays off (its row is kept, inactive); a default
    watch still on whose area is no longer declared is removed.
    """
    declared = set(member.specialties.values_list("pk", flat=True)) | set(member.interests.values_list("pk", flat=True))
    existing = {w.service_area_id: w for w in member.area_watches.all()}
    created = ServiceAreaWatch.objects.bulk_create([
        ServiceAreaWatch(member=member, service_area_id=pk, source=ServiceAreaWatch.Source.DECLARED)
        for pk in sorted(declared - set(existing))
    ])
    undeclared = [w.pk for a, w in existing.items()
                  if a not in declared and w.source == ServiceAreaWatch.Source.DECLARED and w.is_active]
    if undeclared:
        ServiceAreaWatch.objects.filter(pk__in=undeclared).delete()
    return created


@transaction.atomic
def follow_area(member: Member, area: ServiceArea, *, digest: str = ServiceAreaWatch.Digest.WEEKLY) -> ServiceAreaWatch:
    """Follow a service area (again), or change how often its movements come by e-mail."""
    _require_member(member)
    if digest not in ServiceAreaWatch.Digest.values:
        raise AreasError("Choose how often you want e-mail about this service area.")
    watch, created = ServiceAreaWatch.objects.select_for_update().get_or_create(
        member=member, service_area=area, defaults={"source": ServiceAreaWatch.Source.EXPLICIT, "digest": digest}
    )
    if not created:
        watch.is_active, watch.digest, watch.changed_at = True, digest, timezone.now()
        watch.save(update_fields=["is_active", "digest", "changed_at"])
    return watch


@transaction.atomic
def stop_following(member: Member, area: ServiceArea) -> ServiceAreaWatch | None:
    """Switch a watch off. The row stays, so a declared specialty never switches it back on."""
    _require_member(member)
    watch = ServiceAreaWatch.objects.select_for_update().filter(member=member, service_area=area).first()
    if watch is not None and watch.is_active:
        watch.is_active, watch.changed_at = False, timezone.now()
        watch.save(update_fields=["is_active", "changed_at"])
    return watch


# --- recording movements ---------------------------------------------------------------------------------


def record_movement(kind: str, *, areas: Iterable[ServiceArea], text: str, url: str, actor=None, **subject) -> Movement | None:
    """Store that something moved in ``areas`` and tell the followers once the change commits.

    ``subject`` names what moved: ``entry=``, ``template=``, ``case_study=`` or ``thread=``.
    Nothing is recorded for work tagged with no service area.
    """
    areas = [a for a in areas if a is not None]
    if not areas:
        return None

    with transaction.atomic():
        movement = Movement.objects.create(kind=kind, text=text[:255], url=url[:255], actor=actor, **subject)
        movement.service_areas.set(areas)
        enqueue_on_commit("directory.areas.tasks.notify_area_followers", movement.pk)  # recorded with the movement
    return movement


def entry_started_text(entry) -> str:
    return f"{entry.organisation.name} started re-design work on {entry.service_area.name}: {entry.title}"


def thread_asked_text(thread) -> str:
    return f"New question on {thread.board.name}: {thread.title}"


def record_entry_started(entry, *, actor) -> Movement | None:
    return record_movement(
        Movement.Kind.ENTRY_STARTED, areas=[entry.service_area], actor=actor, entry=entry, url=entry.get_absolute_url(),
        text=entry_started_text(entry),
    )


def record_stage_changed(entry, *, actor, from_label: str, to_label: str) -> Movement | None:
    return record_movement(
        Movement.Kind.STAGE_CHANGED, areas=[entry.service_area], actor=actor, entry=entry, url=entry.get_absolute_url(),
        text=f"{entry.service_area.name}: {entry.organisation.name}'s {entry.title} moved from {from_label} to {to_label}",
    )


def record_template_added(template, *, actor) -> Movement | None:
    area = template.service_area
    return record_movement(
        Movement.Kind.TEMPLATE_ADDED, areas=[area], actor=actor, template=template, url=template.get_absolute_url(),
        text=f"New template on {area.name if area else ''}: {template.title}",
    )


def record_template_version(version, *, actor) -> Movement | None:
    template = version.template
    area = template.service_area
    return record_movement(
        Movement.Kind.TEMPLATE_VERSION, areas=[area], actor=actor, template=template, url=template.get_absolute_url(),
        text=f"{area.name if area else ''}: version {version.number} of the template {template.title}",
    )


def record_case_study_published(page) -> Movement | None:
    """Announce a case study on its first publication only (later edits are not news)."""
    if page.service_area_id is None or Movement.objects.filter(case_study=page).exists():
        return None
    return record_movement(
        Movement.Kind.CASE_STUDY, areas=[page.service_area], actor=page.owner, case_study=page, url=page.url or "",
        text=f"New case study on {page.service_area.name}: {page.title}",
    )


def record_thread_asked(thread, areas: Iterable[ServiceArea], *, actor) -> Movement | None:
    return record_movement(
        Movement.Kind.THREAD_ASKED, areas=areas, actor=actor, thread=thread, url=thread.get_absolute_url(),
        text=thread_asked_text(thread),
    )


# --- who may see a movement ---------------------------------------------------------------------------------


#: Who may see a movement, by the field naming its subject ("thread", "case_study", "template", "entry"):
#: ``check(user, movement)``, filled in by the app that owns the subject (``register_subject``).
SUBJECTS: dict[str, Callable[[object, Movement], bool]] = {}


def register_subject(field: str, check: Callable[[object, Movement], bool]) -> None:
    """Say who may see a movement whose subject is ``field`` (called from the owning app's AppConfig.ready)."""
    SUBJECTS[field] = check


def may_see(user, movement: Movement) -> bool:
    """Whether ``user`` may see what moved, decided now rather than when it moved."""
    if not is_member(user):
        return False
    for field, check in SUBJECTS.items():
        if getattr(movement, f"{field}_id") is not None:
            return check(user, movement)
    return False


def _followers(movement: Movement):
    return (
        ServiceAreaWatch.objects.filter(
            service_area__in=movement.service_areas.all(), is_active=True,
            member__status=Member.Status.APPROVED, member__user__is_active=True,
        )
        .select_related("member__user")
        .order_by("member_id")
    )


@transaction.atomic
def notify_followers(movement_id: int) -> int:
    """Tell each follower of the movement's areas who may see it, once. Returns how many were told.

    Safe to run twice: the movement row is locked and marked, and a member
    already told about it is never told again.
    """
    movement = (
        Movement.objects.select_for_update(of=("self",))
        .select_related("thread__board", "case_study", "template", "entry")
        .filter(pk=movement_id).first()
    )
    if movement is None or movement.notified_at is not None:
        return 0
    already = set(Notification.objects.filter(movement=movement).values_list("member_id", flat=True))
    recipients = {}
    for watch in _followers(movement):
        member = watch.member
        if member.pk in already or member.pk in recipients or member.user_id == movement.actor_id:
            continue
        if may_see(member.user, movement):
            recipients[member.pk] = member
    notify_about_movement(list(recipients.values()), movement)
    movement.notified_at = timezone.now()
    movement.save(update_fields=["notified_at"])
    return len(recipients)


# --- the digest's "Movements in your areas" -------------------------------------------------------------------


def digest_movements(frequency: str, now: datetime) -> dict[int, tuple[Member, list[Movement]]]:
    """Movements since each follower's last digest at this frequency, by member id; marks the watches as sent.

    Called by ``forum.services.send_digest`` inside its transaction, so a
    digest that fails to be written does not mark anything.
    """
    period = timedelta(days=1 if frequency == ServiceAreaWatch.Digest.DAILY else 7)
    watches = list(
        ServiceAreaWatch.objects.select_for_update(of=("self",))
        .filter(is_active=True, digest=frequency, member__status=Member.Status.APPROVED, member__user__is_active=True)
        .select_related("member__user")
        .order_by("member_id", "pk")
    )
    if not watches:
        return {}
    since = {w.pk: w.last_digest_at or max(w.created_at, now - period) for w in watches}
    movements = list(
        Movement.objects.filter(
            service_areas__in={w.service_area_id for w in watches}, occurred_at__gt=min(since.values()), occurred_at__lte=now
        )
        .distinct()
        .select_related("thread__board", "case_study", "template", "entry")
        .prefetch_related("service_areas")
        .order_by("occurred_at", "pk")
    )
    found: dict[int, tuple[Member, list[Movement]]] = {}
    for watch in watches:
        member = watch.member
        watch.last_digest_at = now
        for movement in movements:
            if (
                movement.occurred_at > since[watch.pk]
                and watch.service_area_id in {a.pk for a in movement.service_areas.all()}
                and movement.actor_id != member.user_id
                and movement not in found.get(member.pk, (None, []))[1]
                and may_see(member.user, movement)
            ):
                found.setdefault(member.pk, (member, []))[1].append(movement)
    ServiceAreaWatch.objects.bulk_update(watches, ["last_digest_at"], batch_size=500)
    for _member, items in found.values():
        items.sort(key=lambda m: (m.occurred_at, m.pk))
    return found
