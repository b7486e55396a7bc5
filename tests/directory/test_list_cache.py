"""The directory's cached filter form and its member cards: what changes shows on the next request."""
from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from directory.models import Organisation


def _page(client, params=None) -> str:
    response = client.get(reverse("directory:list"), params or {})
    assert response.status_code == 200
    return response.content.decode()


def _filter_form(html: str) -> str:
    start = html.index("data-directory-filters")
    return html[start:html.index("</form>", start)]


def test_new_organisation_and_locality_are_offered_on_the_next_request(client_for, member, region):
    client = client_for(member)
    assert "Harbour Lane Surgery" not in _filter_form(_page(client))
    Organisation.objects.create(name="Harbour Lane Surgery", kind="practice", parent=region["cluster"], locality="Brightlingsea")
    form = _filter_form(_page(client))
    assert "Harbour Lane Surgery" in form
    assert '<option value="Brightlingsea">' in form


def test_renamed_service_area_is_offered_under_its_new_name(client_for, member, service_areas):
    client = client_for(member)
    assert "Dermatology" in _filter_form(_page(client))
    area = service_areas["Dermatology"]
    area.name = "Skin conditions"
    area.save()
    form = _filter_form(_page(client))
    assert "Skin conditions" in form and "Dermatology" not in form


def test_deleted_organisation_is_no_longer_offered(client_for, member, region):
    client = client_for(member)
    spare = Organisation.objects.create(name="Closed Surgery", kind="practice", parent=region["cluster"])
    assert "Closed Surgery" in _filter_form(_page(client))
    spare.delete()
    assert "Closed Surgery" not in _filter_form(_page(client))


def test_cached_form_keeps_each_request_s_chosen_filters(client_for, member, region):
    client = client_for(member)
    slug = region["practice"].slug
    _page(client)
    chosen = _filter_form(_page(client, {"organisation": slug, "role": "gp"}))
    assert f'<option value="{slug}" selected>' in chosen
    assert '<option value="gp" selected>' in chosen
    assert " selected>" not in _filter_form(_page(client)).replace('<option value="" selected>', "")


def test_name_search_is_shown_in_the_form(client_for, member):
    client = client_for(member)
    _page(client)
    assert 'value="Marsh"' in _filter_form(_page(client, {"q": "Marsh"}))


def test_profile_edit_shows_on_the_next_request(client_for, member, service_areas):
    client = client_for(member)
    assert "Dermatology" not in _page(client).split("directory-cards", 1)[1]
    member.job_title = "Clinical lead for skin"
    member.save()
    member.specialties.add(service_areas["Dermatology"])
    cards = _page(client).split("directory-cards", 1)[1]
    assert "Clinical lead for skin" in cards
    assert "Specialties: Dermatology." in cards


@override_settings(CACHES={"default": {"BACKEND": "portal.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}})
def test_directory_is_served_while_the_cache_is_unreachable(client_for, member, region):
    html = _page(client_for(member))
    assert region["practice"].name in _filter_form(html)
    assert "Fiona Marsh" in html
