"""Organisation pages with their members and place in the hierarchy; "people working on X" per service area."""
from django.urls import reverse


def test_organisation_page_lists_its_members_and_hierarchy(member, other_org_member, client_for, region):
    response = client_for(member).get(reverse("directory:organisation", args=[region["cluster"].slug]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Colchester Commissioning Consortium" in text and "North East Essex PCT" in text  # ancestors
    assert "Castle Gate Surgery" in text  # child practice
    practice = client_for(member).get(reverse("directory:organisation", args=[region["practice"].slug]))
    assert [c["member"].display_name for c in practice.context["cards"]] == ["Fiona Marsh"]
    assert "12950 registered patients" in practice.content.decode()


def test_organisation_list_shows_the_hierarchy_in_order(member, client_for, region):
    rows = client_for(member).get(reverse("directory:organisations")).context["rows"]
    order = [(r["org"].name, r["depth"]) for r in rows]
    assert order.index(("NHS East of England", 0)) < order.index(("North East Essex PCT", 1)) < order.index(("Castle Gate Surgery", 4))


def test_service_area_page_lists_specialists_then_interested(make_member, member, client_for, region, service_areas):
    derm = service_areas["Dermatology"]
    specialist = make_member(first_name="Rajesh", last_name="Patel", organisations=[region["practice"]])
    specialist.specialties.add(derm)
    specialist.interests.add(derm)
    keen = make_member(first_name="Karen", last_name="Doyle", organisations=[region["practice"]])
    keen.interests.add(derm)
    response = client_for(member).get(reverse("directory:area", args=[derm.slug]))
    assert [c["member"].display_name for c in response.context["specialists"]] == ["Rajesh Patel"]
    assert [c["member"].display_name for c in response.context["interested"]] == ["Karen Doyle"]
    assert "People working on Dermatology" in response.content.decode()


def test_profile_page_links_to_service_areas_and_organisations(member, other_org_member, client_for, service_areas, region):
    member.specialties.add(service_areas["Prescribing"])
    text = client_for(other_org_member).get(reverse("directory:member", args=[member.pk])).content.decode()
    assert reverse("directory:area", args=[service_areas["Prescribing"].slug]) in text
    assert region["practice"].get_absolute_url() in text


def test_every_directory_page_has_exactly_one_h1(member, client_for, region, service_areas, network_admin):
    admin = client_for(network_admin)
    for url in [
        reverse("directory:list"), reverse("directory:me"), reverse("directory:member", args=[member.pk]),
        reverse("directory:organisations"), reverse("directory:organisation", args=[region["sha"].slug]),
        reverse("directory:area", args=[service_areas["COPD"].slug]), reverse("directory:import"),
        reverse("directory:erase", args=[member.pk]),
    ]:
        text = admin.get(url).content.decode()
        assert text.count("<h1") == 1, url


def test_organisation_and_area_pages_show_their_redesign_work(member, client_for, region, service_areas):
    from redesign.models import MatrixEntry

    MatrixEntry.objects.create(organisation=region["cluster"], service_area=service_areas["Dermatology"], title="Community dermatology clinic")
    client = client_for(member)
    org_page = client.get(reverse("directory:organisation", args=[region["cluster"].slug])).content.decode()
    area_page = client.get(reverse("directory:area", args=[service_areas["Dermatology"].slug])).content.decode()
    for text in (org_page, area_page):
        assert "Community dermatology clinic" in text
        assert "<caption" in text
