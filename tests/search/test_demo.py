"""The search demo: the network's papers as documents, extracted and indexed, members' papers kept private."""
from __future__ import annotations

import pytest

from search.registry import MEMBERS, PUBLIC
from tests.search.conftest import BACKENDS


def test_demo_papers_are_searchable_with_the_right_audience(database_settings, region, settings, tmp_path, django_capture_on_commit_callbacks):
    from wagtail.documents import get_document_model

    from search import demo
    from search.backends import get_backend

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        demo.build(region)
        demo.build(region)  # idempotent

    assert get_document_model().objects.count() == len(demo.PAPERS)
    backend = get_backend()
    member_hits = backend.search("world class commissioning", viewer_audience=MEMBERS).hits
    assert member_hits and member_hits[0].title.startswith("Notes of the PbC Network workshop")
    public = backend.search("world class commissioning", viewer_audience=PUBLIC)
    assert not any(hit.title.startswith("Notes of the PbC Network workshop") for hit in public.hits)  # relaxed or not
    assert backend.search("local authority audience", viewer_audience=PUBLIC).hits[0].title.endswith("local authority audience")


@pytest.mark.parametrize("engine", BACKENDS)
def test_dermatology_business_case_finds_the_dermatology_template_first(engine, request, db, settings, tmp_path,
                                                                         django_capture_on_commit_callbacks):
    from portal.site.demo import build_region, build_site_pages
    from redesign import demo as redesign_demo
    from search import demo
    from search.backends import get_backend

    request.getfixturevalue(f"{engine}_settings")
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        region = build_region()
        build_site_pages()
        redesign_demo.build(region)
        demo.build(region)

    hits = get_backend().search("dermatology business case", viewer_audience=MEMBERS).hits

    assert (hits[0].kind, hits[0].title) == ("template", "Community dermatology service business case"), [(h.kind, h.title) for h in hits[:5]]
