"""The audit trail page and its CSV export: administrators only, filterable, read only."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.core import audit
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = reverse("audit_trail")
CSV_URL = reverse("audit_trail_csv")


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_administrator_sees_the_trail_newest_first(client_for, network_admin, member):
    audit.record(network_admin.user, "directory.member.approved", member)
    audit.record(network_admin.user, "events.event.capacity_changed", before=10, after=20)

    response = client_for(network_admin).get(URL, {"actor": network_admin.user.pk})

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Event capacity changed") < body.index("Member approved")
    assert "Fiona Marsh" in body and "Ruth Okafor" in body


@pytest.mark.parametrize("who", ["member", "moderator", "sha_editor", "cluster_lead"])
def test_people_who_are_not_administrators_are_refused(client_for, request, who):
    person = request.getfixturevalue(who)

    assert client_for(person).get(URL).status_code == 403
    assert client_for(person).get(CSV_URL).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_filter_by_actor(client_for, network_admin, moderator, member):
    audit.record(network_admin.user, "directory.member.approved", member)
    audit.record(moderator.user, "forum.thread.locked")

    response = client_for(network_admin).get(URL, {"actor": moderator.user.pk})

    assert [e.action for e in response.context["page_obj"]] == ["forum.thread.locked"]


def test_filter_by_action(client_for, network_admin, member):
    audit.record(network_admin.user, "directory.member.approved", member)
    audit.record(network_admin.user, "forum.thread.locked")

    response = client_for(network_admin).get(URL, {"action": "directory.member.approved"})

    assert [e.action for e in response.context["page_obj"]] == ["directory.member.approved"]


def test_filter_by_date(client_for, network_admin):
    old = AuditEvent.objects.create(action="forum.thread.pinned", description="old", occurred_at=timezone.now() - timedelta(days=30))
    month_ago = timezone.localdate(old.occurred_at)  # the day in London, which may differ from UTC's

    response = client_for(network_admin).get(URL, {"since": month_ago.isoformat(), "until": month_ago.isoformat()})

    assert [e.action for e in response.context["page_obj"]] == ["forum.thread.pinned"]


def test_a_from_date_after_the_to_date_is_explained(client_for, network_admin):
    response = client_for(network_admin).get(URL, {"since": "2026-11-23", "until": "2026-11-01"})

    assert "on or before" in response.content.decode()


def test_the_trail_is_paginated(client_for, network_admin):
    AuditEvent.objects.bulk_create([AuditEvent(action="forum.thread.locked", description="Thread locked") for _ in range(51)])

    response = client_for(network_admin).get(URL, {"action": "forum.thread.locked", "page": 2})

    assert len(response.context["page_obj"]) == 1


@pytest.mark.parametrize("actors", [2, 20])
def test_the_trail_page_query_count_does_not_grow_with_events_or_actors(client_for, make_member, network_admin, member, django_assert_num_queries, actors):
    for _ in range(actors):
        actor = make_member()
        audit.record(actor.user, "directory.member.approved", member)
        audit.record(actor.user, "forum.thread.locked")
    client = client_for(network_admin)

    # user with member (one query); the viewer's roles, permissions (user, groups) and authenticator, read once and then cached
    # (the session is already cached by signing in); filter choices (actors with their members,
    # actions); count; page of events with actors, subjects and their members
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert response.status_code == 200


def test_csv_export_carries_the_filtered_events(client_for, network_admin, member):
    audit.record(network_admin.user, "directory.member.approved", member, note="=HYPERLINK(1)")
    audit.record(network_admin.user, "forum.thread.locked")

    response = client_for(network_admin).get(CSV_URL, {"action": "directory.member.approved"})

    rows = _csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert [row["action"] for row in rows] == ["directory.member.approved"]
    assert rows[0]["who"] == "Ruth Okafor"
    assert rows[0]["target"] == "Fiona Marsh"
    assert rows[0]["account"] == str(network_admin.user.pk)


def test_csv_export_neutralises_spreadsheet_formulas(client_for, network_admin):
    audit.record(network_admin.user, "forum.thread.locked", description="=cmd|' /C calc'!A0")

    rows = _csv(client_for(network_admin).get(CSV_URL, {"action": "forum.thread.locked"}))

    assert rows[0]["description"].startswith("'=")


def test_the_trail_offers_no_way_to_change_an_event(client_for, network_admin):
    audit.record(network_admin.user, "forum.thread.locked")

    response = client_for(network_admin).post(URL, {"action": "x"})

    assert response.status_code == 405
    assert AuditEvent.objects.filter(action="forum.thread.locked").count() == 1
    assert "<form method=\"post\"" not in client_for(network_admin).get(URL).content.decode()
