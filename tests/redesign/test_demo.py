"""The demonstration content: seed 003 case studies, seed 004 BANES pathways, East of England work."""
from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_demo_builds_case_studies_and_matrix_and_is_idempotent(client):
    from portal.demo import build_region, build_site_pages
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
    assert Template.objects.count() == 3
    response = client.get("/redesign/case-studies/")
    assert response.status_code == 200
    assert len(response.context["case_studies"]) == 4  # Torbay is for members
