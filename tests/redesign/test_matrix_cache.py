"""The matrix's cached table: every change that alters a count or a name shows on the next request."""
from __future__ import annotations

import re

import pytest
from django.test import override_settings

from redesign.models import Stage


def _cell_counts(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="redesign-cell" data-count="(\d+)"', html)]


def _matrix(client, url="/redesign/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_new_entry_is_counted_on_the_next_request(client_for, member, make_entry):
    client = client_for(member)
    make_entry(title="First")
    assert sum(_cell_counts(_matrix(client))) == 1
    make_entry(title="Second")
    assert sum(_cell_counts(_matrix(client))) == 2


def test_deleted_entry_leaves_the_count_on_the_next_request(client_for, member, make_entry):
    client = client_for(member)
    make_entry(title="Kept")
    gone = make_entry(title="Gone")
    assert sum(_cell_counts(_matrix(client))) == 2
    gone.delete()
    assert sum(_cell_counts(_matrix(client))) == 1


def test_stage_change_moves_the_count_in_the_stage_view(client_for, member, make_entry):
    client = client_for(member)
    entry = make_entry(stage=Stage.IDEA)
    assert 'data-count="1"' in _matrix(client, "/redesign/?view=stages&stage=idea")
    entry.stage = Stage.LIVE
    entry.save()
    assert "No re-design work has been recorded that matches these filters" in _matrix(client, "/redesign/?view=stages&stage=idea")
    assert 'data-count="1"' in _matrix(client, "/redesign/?view=stages&stage=live")


def test_renamed_service_area_shows_its_new_name(client_for, member, make_entry, service_areas):
    client = client_for(member)
    make_entry(service_area=service_areas["Dermatology"])
    assert "Dermatology" in _matrix(client)
    area = service_areas["Dermatology"]
    area.name = "Skin conditions"
    area.save()
    assert "Skin conditions" in _matrix(client)


def test_renamed_organisation_shows_its_new_name(client_for, member, make_entry, region):
    client = client_for(member)
    make_entry(organisation=region["cluster"])
    _matrix(client)
    region["cluster"].name = "Harbourside cluster"
    region["cluster"].save()
    assert "Harbourside cluster" in _matrix(client)


def test_each_filter_has_its_own_cached_table(client_for, member, make_entry):
    client = client_for(member)
    make_entry(stage=Stage.IDEA, title="a")
    make_entry(stage=Stage.LIVE, title="b")
    make_entry(stage=Stage.LIVE, title="c")
    assert sum(_cell_counts(_matrix(client, "/redesign/?stage=idea"))) == 1
    assert sum(_cell_counts(_matrix(client, "/redesign/?stage=live"))) == 2
    assert sum(_cell_counts(_matrix(client))) == 3


@override_settings(CACHES={"default": {"BACKEND": "portal.core.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}})
def test_matrix_is_served_while_the_cache_is_unreachable(client_for, member, make_entry):
    make_entry(title="Counted")
    assert sum(_cell_counts(_matrix(client_for(member)))) == 1
