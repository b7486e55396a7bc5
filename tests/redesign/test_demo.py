"""The demonstration content: seed 003 case studies, seed 004 BANES pathways, East of England work."""
from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_demo_builds_case_studies_and_matrix_and_is_idempotent(client):
    from portal.site.demo import build_region, build_site_pages
    from redesign import demo
    from redesign.models import CaseStudyPage, MatrixEntry, Template

    region = build_region()
    build_site_pages()
    demo.build(region)
    demo.build(region)
    titles = set(CaseStudyPage.objects.values_list("title", flat=True))
    for place in ["Southampton", "Southwark", "South West Staffordshire", "Bexley", "Torbay"]:
        assert any(place in t for t in titles)
    assert CaseStudyPage.objects.count() == 5
    banes = MatrixEntry.objects.filter(organisation__name__startswith="Bath & North East Somerset")
    assert set(banes.values_list("service_area__name", flat=True)) == {"Musculoskeletal", "Ophthalmology", "ENT", "Dermatology"}
    msk = banes.get(service_area__name="Musculoskeletal")
    assert {m.user.first_name for m in msk.leads.all()} == {"Fiona", "William"}
    assert MatrixEntry.objects.filter(organisation__name="Chelmsford North Cluster").exists()
    assert MatrixEntry.objects.count() == len(demo.ENTRIES)
    assert Template.objects.count() == 4
    response = client.get("/redesign/case-studies/")
    assert response.status_code == 200
    assert len(response.context["case_studies"]) == 4  # Torbay is for members


@pytest.mark.django_db
def test_every_redesign_page_renders_with_demo_content(client):
    from portal.site.demo import build_region, build_site_pages
    from redesign import demo
    from redesign.models import MatrixEntry, Template

    region = build_region()
    build_site_pages()
    demo.build(region)
    client.force_login(region["members"]["member@pbc-network.nhs.uk"].user)
    urls = ["/redesign/", "/redesign/?view=stages", "/redesign/?stale=on", "/redesign/entries/", "/redesign/entries/print/",
            "/redesign/entries/new/", "/redesign/templates/", "/redesign/case-studies/"]
    urls += [e.get_absolute_url() for e in MatrixEntry.objects.all()]
    urls += [t.get_absolute_url() for t in Template.objects.all()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url
    stale = client.get("/redesign/entries/?stale=on").context["page"].paginator.count
    assert stale == MatrixEntry.objects.stale().count() > 0


@pytest.mark.django_db
def test_search_documents_describe_entries_case_studies_and_templates():
    from portal.site.demo import build_region, build_site_pages
    from redesign import demo
    from redesign.models import CaseStudyPage, MatrixEntry, Template
    from search.registry import MEMBERS, PUBLIC, searchable_for

    region = build_region()
    build_site_pages()
    demo.build(region)
    entry = MatrixEntry.objects.first()
    doc = searchable_for(entry).to_document(entry)
    assert (doc.kind, doc.audience, doc.url) == ("matrix_entry", MEMBERS, entry.get_absolute_url())
    torbay = CaseStudyPage.objects.get(slug="integrated-commissioning-torbay")
    assert searchable_for(torbay).to_document(torbay).audience == MEMBERS
    bexley = CaseStudyPage.objects.get(slug="integrated-teams-bexley")
    bexley_doc = searchable_for(bexley).to_document(bexley)
    assert bexley_doc.audience == PUBLIC and "King's Fund" in bexley_doc.body
    template = Template.objects.first()
    assert searchable_for(template).to_document(template).kind == "template"
