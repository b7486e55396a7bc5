"""The audit trail: who did what, to which record, and when.

Every administrator, SHA editor and moderator action calls ``record`` in the
same transaction as the change it describes, so the event exists exactly
when the change does (a rolled-back change leaves no event)::

    from portal.core import audit

    audit.record(by, "directory.member.approved", member)
    audit.record(by, "events.event.capacity_changed", event, before=40, after=60)

``action`` is a dotted code ``app.object.verb_past_tense``.  The human
description is made from it ("Member approved") unless ``description`` is
given.  ``detail`` holds JSON-serialisable facts about the change (ids,
before/after values, reasons) and must never hold a person's name, e-mail
address or telephone number: people are linked through ``subject`` so that
erasure applies to them (see ``portal.core.models.AuditEvent``).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from portal.core.models import AuditEvent

__all__ = ["AuditEvent", "describe", "record"]


def describe(action: str) -> str:
    """``"events.booking.cancelled_by_admin"`` → ``"Booking cancelled by admin"``."""
    parts = action.split(".")
    words = " ".join(part.replace("_", " ") for part in parts[1:] or parts)
    return words[:1].upper() + words[1:]


def _person_behind(target) -> Any:
    """The account a target is about, when the target is a person's record."""
    if isinstance(target, get_user_model()):
        return target
    if target is not None and target._meta.label_lower == "directory.member":
        return target.user
    return None


def _roles_of(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    names = sorted(actor.groups.values_list("name", flat=True))
    if actor.is_superuser:
        names.insert(0, "Superuser")
    return ", ".join(names)[:200]


_current_actor: ContextVar = ContextVar("audit_actor", default=None)
_suspended: ContextVar[bool] = ContextVar("audit_suspended", default=False)


@contextmanager
def suspended():
    """Record nothing from receivers inside this block: a restore loads the old trail, it makes no new one."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@contextmanager
def acting_as(user):
    """Name the person behind changes made by signal receivers (role changes) inside this block."""
    token = _current_actor.set(user)
    try:
        yield
    finally:
        _current_actor.reset(token)


class _RequestActor:
    """The person behind a request, looked up only when a receiver records an event.

    The context variable holds this plain object, never ``request.user`` itself: that is a lazy object,
    and when a client gives up mid-request asgiref compares the context's variables in the event loop
    (``cvar.get() != value``) as it restores them, which evaluated the lazy user outside a thread and
    logged a spurious "Internal Server Error" (SynchronousOnlyOperation).  This object compares by
    identity and touches nothing.
    """

    __slots__ = ("request",)

    def __init__(self, request):
        self.request = request

    def resolve(self):
        return getattr(self.request, "user", None)


def current_actor():
    """The actor named by the innermost ``acting_as`` (or the request being served), or None."""
    actor = _current_actor.get()
    return actor.resolve() if isinstance(actor, _RequestActor) else actor


class AuditActorMiddleware:
    """Makes the signed-in user the actor of audit events that receivers record during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(_RequestActor(request)):
            return self.get_response(request)


def _write(actor, action: str, *, target_type: str = "", target_id: str = "", target_label: str = "", subject=None,
           description: str = "", detail: dict | None = None) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_account=actor.pk if actor is not None else None,
        actor_roles=_roles_of(actor),
        action=action,
        description=(description or describe(action))[:300],
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:300],
        subject=subject,
        subject_account=subject.pk if subject is not None else None,
        # Round-trip through Django's encoder so dates, decimals and UUIDs are stored as text.
        detail=json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder)),
    )


def record(actor, action: str, target: models.Model | None = None, *, subject=None, description: str = "", label: str | None = None,
           **detail) -> AuditEvent:
    """Add one event to the audit trail and return it.

    ``actor`` is the user who acted (``None`` or an anonymous user for the
    system itself: scheduled jobs, signals without a request).  ``target`` is
    the record acted on; when it is a person (a user or a member) its label is
    left empty and it becomes the ``subject``, shown by the account's current
    name.  Pass ``subject=`` to name the person an action on another record
    was about (a booking made on someone's behalf).  ``label`` replaces the
    target's own name when that would carry personal data (an invitation).
    """
    person = _person_behind(target)
    subject = subject if subject is not None else person
    if subject is not None and not isinstance(subject, get_user_model()):
        subject = _person_behind(subject)
    return _write(
        actor,
        action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=label if label is not None else "" if target is None or person is not None else str(target),
        subject=subject,
        description=description,
        detail=detail,
    )


# --- receivers: changes made outside our services (Wagtail's admin, group edits) --------------------

# Wagtail's own log (pages, and snippets with drafts) records publication and workflow
# decisions with the right user, including scheduled publishing; these feed the trail.
WAGTAIL_ACTIONS = {
    "wagtail.publish": ("published", "published"),
    "wagtail.publish.scheduled": ("published_on_schedule", "published on schedule"),
    "wagtail.unpublish": ("unpublished", "unpublished"),
    "wagtail.unpublish.scheduled": ("unpublished_on_schedule", "unpublished on schedule"),
    "wagtail.workflow.approve": ("approved", "approved in review"),
    "wagtail.workflow.reject": ("changes_requested", "sent back for changes in review"),
    "wagtail.delete": ("deleted", "deleted"),
}


def record_wagtail_log_entry(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or _suspended.get() or instance.action not in WAGTAIL_ACTIONS:
        return
    verb, words = WAGTAIL_ACTIONS[instance.action]
    model = instance.content_type.model_class() if instance.content_type_id else None
    kind = model._meta.verbose_name if model is not None else "page"
    app = model._meta.app_label if model is not None else "wagtailcore"
    _write(
        instance.user,
        f"{app}.{(model._meta.model_name if model else 'page')}.{verb}",
        target_type=instance.content_type.app_label + "." + instance.content_type.model if instance.content_type_id else "",
        target_id=str(getattr(instance, "page_id", None) or getattr(instance, "object_id", "")),
        target_label=instance.label,
        description=f"{kind[:1].upper()}{kind[1:]} {words}",
        detail={"wagtail_action": instance.action, **({"comment": instance.data["comment"]} if instance.data.get("comment") else {})},
    )


def record_role_change(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    """Any change to someone's roles (groups), wherever it is made: services, Wagtail's user editor, the shell."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    if _suspended.get():
        return
    if action == "pre_clear":
        pk_set = set(instance.groups.values_list("pk", flat=True) if not reverse else instance.user_set.values_list("pk", flat=True))
    elif action not in ("post_add", "post_remove"):
        return
    if not pk_set:
        return
    granted = action == "post_add"
    pairs = (
        [(user, instance) for user in User.objects.filter(pk__in=pk_set)]
        if reverse
        else [(instance, group) for group in Group.objects.filter(pk__in=pk_set)]
    )
    actor = current_actor()
    for user, group in pairs:
        _write(
            actor,
            "portal.role.granted" if granted else "portal.role.removed",
            target_type="auth.group",
            target_id=str(group.pk),
            target_label=group.name,
            subject=user,
            description=f"Role {'granted' if granted else 'removed'}: {group.name}",
        )


def connect_receivers() -> None:
    from django.db.models.signals import m2m_changed, post_save
    from wagtail.models import ModelLogEntry, PageLogEntry

    post_save.connect(record_wagtail_log_entry, sender=PageLogEntry, dispatch_uid="portal.core.audit.page_log")
    post_save.connect(record_wagtail_log_entry, sender=ModelLogEntry, dispatch_uid="portal.core.audit.model_log")
    m2m_changed.connect(record_role_change, sender=get_user_model().groups.through, dispatch_uid="portal.core.audit.roles")
