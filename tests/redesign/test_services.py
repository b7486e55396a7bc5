"""Matrix entries: creation, edits, stage transitions, history and permissions, through the services."""
from __future__ import annotations

from decimal import Decimal

import pytest

from redesign import services
from redesign.models import EntryChange, MatrixEntry, Stage


def test_create_entry_records_history_with_who_and_what(member, region, service_areas):
    entry = services.create_entry(
        actor=member.user, organisation=region["cluster"], service_area=service_areas["Dermatology"],
        title="Community dermatology service", leads=[member], expected_savings=Decimal("95000.00"),
    )
    change = EntryChange.objects.get(entry=entry)
    assert change.action == "redesign.entry.created"
    assert change.actor == member.user
    assert change.to_stage == Stage.IDEA
    assert change.changes["leads"] == ["", "Fiona Marsh"]
    assert list(entry.leads.all()) == [member]


def test_member_cannot_record_work_for_another_organisation(member, region, service_areas):
    with pytest.raises(services.NotAllowed):
        services.create_entry(actor=member.user, organisation=region["other_cluster"], service_area=service_areas["COPD"], title="x")
    assert not MatrixEntry.objects.exists()


def test_update_entry_records_each_changed_field(member, make_entry):
    entry = make_entry(expected_savings=Decimal("1000.00"))
    services.update_entry(entry, actor=member.user, title="Dermatology triage", expected_savings=Decimal("2500.50"), summary="")
    change = EntryChange.objects.get(entry=entry, action="redesign.entry.updated")
    assert change.changes == {"title": ["Community dermatology service", "Dermatology triage"], "expected_savings": ["1000.00", "2500.50"]}
    entry.refresh_from_db()
    assert entry.expected_savings == Decimal("2500.50")


def test_update_without_changes_writes_no_history(member, make_entry):
    entry = make_entry()
    services.update_entry(entry, actor=member.user, title=entry.title)
    assert not EntryChange.objects.filter(entry=entry).exists()


def test_change_stage_moves_forward_and_records_transition(member, make_entry):
    entry = make_entry(stage=Stage.SCOPING)
    services.change_stage(entry, actor=member.user, to_stage=Stage.BUSINESS_CASE)
    entry.refresh_from_db()
    assert entry.stage == Stage.BUSINESS_CASE
    change = EntryChange.objects.get(entry=entry)
    assert (change.from_stage, change.to_stage, change.actor) == (Stage.SCOPING, Stage.BUSINESS_CASE, member.user)


def test_change_stage_refuses_skipping_stages(member, make_entry):
    entry = make_entry(stage=Stage.IDEA)
    with pytest.raises(services.InvalidTransition, match="cannot move to 'Live'"):
        services.change_stage(entry, actor=member.user, to_stage=Stage.LIVE)
    entry.refresh_from_db()
    assert entry.stage == Stage.IDEA
    assert not EntryChange.objects.exists()


def test_stopping_requires_a_reason(member, make_entry):
    entry = make_entry(stage=Stage.BUSINESS_CASE)
    with pytest.raises(services.InvalidTransition, match="why"):
        services.change_stage(entry, actor=member.user, to_stage=Stage.STOPPED, reason="  ")
    services.change_stage(entry, actor=member.user, to_stage=Stage.STOPPED, reason="PCT commissioned it county-wide")
    entry.refresh_from_db()
    assert entry.stage == Stage.STOPPED
    assert entry.stop_reason == "PCT commissioned it county-wide"
    assert EntryChange.objects.get(entry=entry).reason == "PCT commissioned it county-wide"


def test_evaluated_work_cannot_move(member, make_entry):
    entry = make_entry(stage=Stage.EVALUATED)
    with pytest.raises(services.InvalidTransition, match="finished"):
        services.change_stage(entry, actor=member.user, to_stage=Stage.LIVE)


def test_going_live_sets_actual_go_live(member, make_entry):
    entry = make_entry(stage=Stage.PROCUREMENT)
    services.change_stage(entry, actor=member.user, to_stage=Stage.LIVE)
    entry.refresh_from_db()
    assert entry.actual_go_live is not None


def test_member_of_practice_edits_own_clusters_entry(member, make_entry):
    entry = make_entry()  # the member's practice is in region["cluster"]
    services.update_entry(entry, actor=member.user, title="Changed")
    entry.refresh_from_db()
    assert entry.title == "Changed"


def test_member_cannot_edit_other_organisations_entry(other_org_member, make_entry):
    entry = make_entry()
    with pytest.raises(services.NotAllowed):
        services.update_entry(entry, actor=other_org_member.user, title="Hijacked")
    with pytest.raises(services.NotAllowed):
        services.change_stage(entry, actor=other_org_member.user, to_stage=Stage.SCOPING)
    entry.refresh_from_db()
    assert entry.title == "Community dermatology service"


def test_lead_from_another_organisation_can_edit_entry_they_lead(other_org_member, make_entry):
    entry = make_entry(leads=[other_org_member])
    services.change_stage(entry, actor=other_org_member.user, to_stage=Stage.SCOPING)
    entry.refresh_from_db()
    assert entry.stage == Stage.SCOPING


def test_network_admin_edits_any_organisations_entry(network_admin, make_entry, region):
    entry = make_entry(organisation=region["other_cluster"])
    services.update_entry(entry, actor=network_admin.user, title="Admin tidy-up")
    entry.refresh_from_db()
    assert entry.title == "Admin tidy-up"
