"""The audit trail: ``portal.core.audit.record`` and the read-only ``AuditEvent``."""
from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from portal.core import audit
from portal.core.models import AuditEvent, AuditTrailIsReadOnly

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the read-only trigger exists on PostgreSQL only")


def test_record_stores_actor_action_target_and_detail(network_admin, region):
    event = audit.record(network_admin.user, "directory.organisation.renamed", region["cluster"], before="Old name")

    event.refresh_from_db()
    assert event.actor == network_admin.user
    assert event.actor_account == network_admin.user.pk
    assert "Network administrators" in event.actor_roles
    assert event.action == "directory.organisation.renamed"
    assert event.description == "Organisation renamed"
    assert (event.target_type, event.target_id) == ("directory.organisation", str(region["cluster"].pk))
    assert event.target_label == str(region["cluster"])
    assert event.detail == {"before": "Old name"}
    assert event.occurred_at is not None


def test_record_keeps_a_person_out_of_the_label_and_links_them_as_subject(network_admin, member):
    event = audit.record(network_admin.user, "directory.member.approved", member)

    assert event.target_label == ""
    assert event.subject == member.user
    assert event.target_display == "Fiona Marsh"


def test_record_by_the_system_has_no_actor(member):
    event = audit.record(None, "directory.member.approved", member)

    assert event.actor is None
    assert event.actor_display == "The system"


def test_record_stores_dates_and_decimals_in_detail_as_text(network_admin):
    import datetime
    from decimal import Decimal

    event = audit.record(network_admin.user, "events.event.rescheduled", when=datetime.date(2026, 11, 23), budget=Decimal("12.50"))

    event.refresh_from_db()
    assert event.detail == {"when": "2026-11-23", "budget": "12.50"}


def test_a_rolled_back_change_leaves_no_event(network_admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(network_admin.user, "directory.member.approved")
        raise RuntimeError("the change failed")

    assert not AuditEvent.objects.filter(action="directory.member.approved").exists()


def test_saving_an_existing_event_is_refused(network_admin):
    event = audit.record(network_admin.user, "directory.member.approved")
    event.description = "Nothing happened"

    with pytest.raises(AuditTrailIsReadOnly):
        event.save()


def test_deleting_an_event_is_refused(network_admin):
    event = audit.record(network_admin.user, "directory.member.approved")

    with pytest.raises(AuditTrailIsReadOnly):
        event.delete()
    with pytest.raises(AuditTrailIsReadOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailIsReadOnly):
        AuditEvent.objects.update(action="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="directory.member.approved").exists()


@postgres_only
def test_database_refuses_update_from_any_client(network_admin):
    event = audit.record(network_admin.user, "directory.member.approved")

    with pytest.raises(DatabaseError, match="read-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "directory.member.approved"


@postgres_only
def test_database_refuses_delete_from_any_client(network_admin):
    event = audit.record(network_admin.user, "directory.member.approved")

    with pytest.raises(DatabaseError, match="read-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_the_actors_account_keeps_the_event_and_the_account_number(make_member, member):
    admin = make_member(first_name="Temporary", last_name="Admin")
    event = audit.record(admin.user, "directory.member.approved", member)
    account = admin.user.pk

    admin.user.delete()

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None
    assert event.actor_display == f"Deleted account ({account})"
    assert event.subject == member.user


def test_erasing_the_actor_leaves_no_name_in_the_trail(network_admin, make_member, member, region):
    from directory.services import erase_member

    moderator = make_member(first_name="Zebedee", last_name="Quirke", organisations=[region["pct"]])
    audit.record(moderator.user, "forum.post.hidden", region["cluster"])

    erase_member(moderator, by=network_admin.user)

    event = AuditEvent.objects.get(action="forum.post.hidden")
    assert event.actor_display == f"Former member (account {moderator.user.pk})"
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("Zebedee" in str(value) or "Quirke" in str(value) for value in row.values())


def test_the_trail_is_not_registered_in_any_admin():
    from django.contrib import admin
    from wagtail.snippets.models import get_snippet_models

    assert not admin.site.is_registered(AuditEvent)
    assert AuditEvent not in get_snippet_models()


def test_describe_turns_the_code_into_plain_english():
    assert audit.describe("events.booking.cancelled_by_admin") == "Booking cancelled by admin"


def test_audit_middleware_never_evaluates_the_lazy_user_when_the_context_is_compared():
    """When a client gives up, asgiref compares the context's variables (``cvar.get() != value``) in the event
    loop as it restores them; evaluating the lazy ``request.user`` there logged a spurious Internal Server Error."""
    from django.http import HttpRequest, HttpResponse
    from django.utils.functional import SimpleLazyObject

    from portal.core.audit import AuditActorMiddleware, _current_actor

    def evaluated():
        raise AssertionError("the lazy user was evaluated")

    request = HttpRequest()
    request.user = SimpleLazyObject(evaluated)
    compared = []

    def view(request):
        compared.append(None != _current_actor.get())  # noqa: E711 - what asgiref's _restore_context does
        return HttpResponse()

    AuditActorMiddleware(view)(request)

    assert compared == [True]


def test_role_granted_during_a_request_names_the_signed_in_user_as_actor(rf, network_admin, member):
    from django.http import HttpResponse

    from portal.core.audit import AuditActorMiddleware
    from portal.core.models import AuditEvent
    from portal.core.roles import Role, grant_role

    request = rf.get("/")
    request.user = network_admin.user

    def view(request):
        grant_role(member.user, Role.MODERATOR)
        return HttpResponse()

    AuditActorMiddleware(view)(request)

    event = AuditEvent.objects.filter(action="portal.role.granted").latest("pk")
    assert event.actor == network_admin.user
