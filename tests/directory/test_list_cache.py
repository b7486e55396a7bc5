"""The directory's cached filter form and list pages: what changes shows on the next request, and no viewer sees more than they may."""
from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from directory.models import Organisation, Visibility


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


@override_settings(CACHES={"default": {"BACKEND": "portal.core.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}})
def test_directory_is_served_while_the_cache_is_unreachable(client_for, member, region):
    html = _page(client_for(member))
    assert region["practice"].name in _filter_form(html)
    assert "Fiona Marsh" in html


# --- the cached list pages: contact details by viewer class, and changes on the next request ----------------

EMAIL = "sasha.subject@example.nhs.uk"
PHONE = "01206 555 0199"


@pytest.fixture
def subject(make_member, region):
    """At Castle Gate Surgery (with ``member``); e-mail for the organisation only, telephone for administrators."""
    return make_member(first_name="Sasha", last_name="Subject", email=EMAIL, phone=PHONE, organisations=[region["practice"]],
                       email_visibility=Visibility.ORGANISATION, phone_visibility=Visibility.ADMINS)


def test_administrator_s_cached_page_is_not_shown_to_a_member(client_for, member, network_admin, subject):
    assert PHONE in _page(client_for(network_admin))
    assert PHONE not in _page(client_for(member))


def test_organisation_s_cached_page_is_not_shown_to_a_member_of_another(client_for, member, other_org_member, subject):
    assert EMAIL in _page(client_for(member))
    assert EMAIL not in _page(client_for(other_org_member))


def test_own_details_are_not_cached_for_others_in_the_same_organisation(client_for, make_member, member, subject, region):
    colleague = make_member(first_name="Colin", last_name="Colleague", organisations=[region["practice"]])
    assert PHONE in _page(client_for(subject))  # Sasha sees her own administrators-only telephone
    assert PHONE not in _page(client_for(colleague))
    assert PHONE in _page(client_for(subject))


def test_privacy_change_shows_on_the_next_request(client_for, other_org_member, subject):
    client = client_for(other_org_member)
    assert EMAIL not in _page(client)
    subject.email_visibility = Visibility.MEMBERS
    subject.save()
    assert EMAIL in _page(client)
    subject.email_visibility = Visibility.ADMINS
    subject.save()
    assert EMAIL not in _page(client)


def test_newly_approved_member_is_listed_on_the_next_request(client_for, make_member, member):
    client = client_for(member)
    applicant = make_member(first_name="Nadia", last_name="Newcomer", status="pending")
    assert "Nadia Newcomer" not in _page(client)
    applicant.status = "approved"
    applicant.save()
    html = _page(client)
    assert "Nadia Newcomer" in html and "2 members found" in html


def test_renamed_member_and_changed_organisations_show_on_the_next_request(client_for, member, subject, region):
    client = client_for(member)
    _page(client)
    subject.user.first_name = "Alexandra"
    subject.user.save()
    subject.organisations.add(region["other_practice"])
    html = _page(client)
    assert "Alexandra Subject" in html
    assert region["other_practice"].name in html.split("directory-cards", 1)[1]


def test_each_page_and_filter_has_its_own_cached_results(client_for, member, subject):
    client = client_for(member)
    assert "Sasha Subject" in _page(client)
    assert "Sasha Subject" not in _page(client, {"role": "nurse"})
    assert "Sasha Subject" in _page(client, {"role": subject.job_role})


def test_another_viewer_class_reuses_the_page_s_members_without_counting_the_directory(client_for, member, other_org_member, subject):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _page(client_for(member))
    other = client_for(other_org_member)
    with CaptureQueriesContext(connection) as captured:
        html = _page(other)
    assert "Sasha Subject" in html and EMAIL not in html  # the other organisation's own view, not the first viewer's
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
