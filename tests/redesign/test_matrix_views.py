"""The matrix page, entry list, CSV export and printable list."""
from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core import fragments
from redesign.models import MatrixEntry, Stage
from redesign.views import MATRIX_FRAGMENTS


def _bulk_entries(n, region, service_areas, *, start=0):
    orgs = [region["cluster"], region["other_cluster"], region["consortium"], region["pct"]]
    areas = list(service_areas.values())
    stages = list(Stage.values)
    now = timezone.now()
    MatrixEntry.objects.bulk_create(
        [
            MatrixEntry(
                organisation=orgs[i % len(orgs)], service_area=areas[(i // 4) % len(areas)], title=f"Work {i}",
                stage=stages[i % len(stages)], updated_at=now, created_at=now,
            )
            for i in range(start, start + n)
        ],
        batch_size=1000,
    )


def _cells(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="redesign-cell" data-count="(\d+)"', html)]


def test_matrix_is_for_members_only(client, region):
    response = client.get("/redesign/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_matrix_cell_counts_match_the_database(client_for, member, region, service_areas):
    _bulk_entries(37, region, service_areas)
    response = client_for(member).get("/redesign/")
    assert response.status_code == 200
    grid = response.context["grid"]
    for row in grid["rows"]:
        for cell in row["cells"]:
            expected = MatrixEntry.objects.filter(service_area=row["area"], organisation_id=cell["column"]["key"]).count()
            assert cell["count"] == expected
    assert grid["total"] == MatrixEntry.objects.count() == 37
    assert sum(_cells(response.content.decode())) == 37


def test_matrix_cell_links_to_the_entries_it_counts(client_for, member, region, service_areas, make_entry):
    make_entry(title="Derm in town", organisation=region["cluster"])
    make_entry(title="Derm in Tendring", organisation=region["other_cluster"])
    client = client_for(member)
    grid = client.get("/redesign/").context["grid"]
    derm_row = next(r for r in grid["rows"] if r["area"].name == "Dermatology")
    cell = next(c for c in derm_row["cells"] if c["column"]["key"] == region["cluster"].pk)
    listing = client.get(cell["url"])
    titles = [e.title for e in listing.context["page"].object_list]
    assert titles == ["Derm in town"]


def test_stage_view_counts_by_stage(client_for, member, make_entry):
    make_entry(stage=Stage.IDEA, title="a")
    make_entry(stage=Stage.IDEA, title="b")
    make_entry(stage=Stage.LIVE, title="c")
    grid = client_for(member).get("/redesign/?view=stages").context["grid"]
    totals = {c["key"]: c["total"] for c in grid["columns"]}
    assert totals["idea"] == 2 and totals["live"] == 1 and totals["scoping"] == 0


def test_matrix_filters_by_stage(client_for, member, make_entry):
    make_entry(stage=Stage.IDEA, title="a")
    make_entry(stage=Stage.LIVE, title="c")
    grid = client_for(member).get("/redesign/?stage=live").context["grid"]
    assert grid["total"] == 1


def _queries(client, url) -> int:
    """Queries to render the page (bulk_create sends no signal, so forget the cached matrix as a save would)."""
    fragments.forget(MATRIX_FRAGMENTS)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/redesign/", "/redesign/?view=stages", "/redesign/entries/", "/redesign/entries/?stale=on"])
def test_query_count_is_the_same_at_10_and_5000_entries(client_for, member, region, service_areas, url):
    client = client_for(member)
    client.get(url)  # warm the viewer's cached roles and permissions (read once, then kept: portal/core/permissions.py)
    _bulk_entries(10, region, service_areas)
    at_10 = _queries(client, url)
    _bulk_entries(4990, region, service_areas, start=10)
    at_5000 = _queries(client, url)
    assert at_10 == at_5000
    assert at_10 <= 12


def test_matrix_query_count_is_pinned(client_for, member, region, service_areas, django_assert_num_queries):
    client = client_for(member)
    client.get("/redesign/")  # warm the session
    _bulk_entries(5000, region, service_areas)
    fragments.forget(MATRIX_FRAGMENTS)
    with django_assert_num_queries(PINNED_MATRIX_QUERIES):
        client.get("/redesign/")


def test_cached_matrix_is_answered_without_counting_entries(client_for, member, region, service_areas, django_assert_num_queries):
    client = client_for(member)
    _bulk_entries(50, region, service_areas)
    client.get("/redesign/")
    with django_assert_num_queries(PINNED_CACHED_MATRIX_QUERIES):
        client.get("/redesign/")


# The user with the viewer's member row, one query (portal/core/permissions.py, CachedPermissionBackend.get_user);
# the session and the viewer's roles and permissions come from the cache, four queries fewer than before.
PINNED_MATRIX_QUERIES = 6
PINNED_CACHED_MATRIX_QUERIES = 1


def test_entry_list_flags_stale_work(client_for, member, make_entry):
    fresh = make_entry(title="Fresh work")
    stale = make_entry(title="Forgotten work")
    MatrixEntry.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timezone.timedelta(days=91))
    html = client_for(member).get("/redesign/entries/").content.decode()
    rows = html.split('class="redesign-entry-row"')[1:]
    flagged = {row.split("</a>")[0].rsplit(">", 1)[1]: "Not updated for over 90 days" in row for row in rows}
    assert flagged == {fresh.title: False, stale.title: True}


def test_finished_work_is_never_stale(make_entry):
    entry = make_entry(stage=Stage.EVALUATED)
    MatrixEntry.objects.filter(pk=entry.pk).update(updated_at=timezone.now() - timezone.timedelta(days=400))
    assert not MatrixEntry.objects.stale().exists()


def test_csv_export_has_a_row_per_filtered_entry(client_for, member, make_entry, service_areas):
    make_entry(title="Derm one", leads=[member])
    make_entry(title="COPD one", service_area=service_areas["COPD"])
    response = client_for(member).get("/redesign/entries/export.csv?service_area=dermatology")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["title"] for r in rows] == ["Derm one"]
    assert rows[0]["leads"] == member.user.email
    assert rows[0]["stage"] == "Idea"


def test_printable_list_uses_print_css(client_for, member, make_entry):
    make_entry(title="Derm one")
    response = client_for(member).get("/redesign/entries/print/")
    html = response.content.decode()
    assert "Derm one" in html
    assert "redesign/css/redesign.css" in html
