"""The audit trail: who did what, to which record, and when.

Every administrator, SHA editor and moderator action calls ``record`` in the
same transaction as the change it describes, so the event exists exactly
when the change does (a rolled-back change leaves no event)::

    from portal import audit

    audit.record(by, "directory.member.approved", member)
    audit.record(by, "events.event.capacity_changed", event, before=40, after=60)

``action`` is a dotted code ``app.object.verb_past_tense``.  The human
description is made from it ("Member approved") unless ``description`` is
given.  ``detail`` holds JSON-serialisable facts about the change (ids,
before/after values, reasons) and must never hold a person's name, e-mail
address or telephone number: people are linked through ``subject`` so that
erasure applies to them (see ``portal.models.AuditEvent``).
"""
from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from portal.models import AuditEvent

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


def record(actor, action: str, target: models.Model | None = None, *, subject=None, description: str = "", **detail) -> AuditEvent:
    """Add one event to the audit trail and return it.

    ``actor`` is the user who acted (``None`` or an anonymous user for the
    system itself: scheduled jobs, signals without a request).  ``target`` is
    the record acted on; when it is a person (a user or a member) its label is
    left empty and it becomes the ``subject``, shown by the account's current
    name.  Pass ``subject=`` to name the person an action on another record
    was about (a booking made on someone's behalf).
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    person = _person_behind(target)
    subject = subject if subject is not None else person
    if subject is not None and not isinstance(subject, get_user_model()):
        subject = _person_behind(subject)
    return AuditEvent.objects.create(
        actor=actor,
        actor_account=actor.pk if actor is not None else None,
        actor_roles=_roles_of(actor),
        action=action,
        description=(description or describe(action))[:300],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label="" if target is None or person is not None else str(target)[:300],
        subject=subject,
        subject_account=subject.pk if subject is not None else None,
        # Round-trip through Django's encoder so dates, decimals and UUIDs are stored as text.
        detail=json.loads(json.dumps(detail, cls=DjangoJSONEncoder)),
    )
