"""The site's own pages (About, Accessibility statement …) in search: published, unpublished, restricted."""
from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from search.backends import get_backend
from search.registry import MEMBERS, PUBLIC


@pytest.fixture
def embedded(database_settings, db):
    backend = get_backend()
    backend.clear()
    return backend


@pytest.fixture
def publish_page(django_capture_on_commit_callbacks):
    """``publish_page(title, introduction, is_public=True)``: a StandardPage under the home page, published."""
    from portal.site.models import HomePage, StandardPage

    def publish(title, introduction, *, is_public=True):
        page = StandardPage(title=title, introduction=introduction, is_public=is_public, live=False)
        with django_capture_on_commit_callbacks(execute=True):
            HomePage.objects.get().add_child(instance=page)
            page.save_revision().publish()
        page.refresh_from_db()
        return page

    return publish


def test_published_site_page_is_found_by_what_it_says(embedded, publish_page):
    page = publish_page("Accessibility statement", "How accessible the portal is and how to report a problem.")

    hits = embedded.search("accessibility statement").hits

    assert [hit.key for hit in hits] == [f"page:{page.pk}"]


def test_members_only_site_page_is_searchable_by_members_only(embedded, publish_page):
    publish_page("Members' handbook", "How the network's members share their work.", is_public=False)

    assert embedded.search("handbook", PUBLIC).total == 0
    assert embedded.search("handbook", MEMBERS).total == 1


def test_unpublished_site_page_leaves_search(embedded, publish_page, django_capture_on_commit_callbacks):
    page = publish_page("Joining the network", "Who can join and how to apply.")

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert embedded.search("joining").total == 0


def test_site_page_behind_a_view_restriction_is_not_indexed(embedded, publish_page, django_capture_on_commit_callbacks):
    page = publish_page("Board papers", "Papers for the network board.")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="board")

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert embedded.search("board papers").total == 0


@pytest.fixture
def publish_case_study(home_page, region, django_capture_on_commit_callbacks):
    """``publish_case_study(title)``: a public case study under a case-study index, published."""
    from redesign.models import Audience, CaseStudyIndexPage, CaseStudyPage

    index = CaseStudyIndexPage(title="Case studies", slug="case-studies")
    home_page.add_child(instance=index)

    def publish(title):
        page = CaseStudyPage(title=title, audience=Audience.PUBLIC, summary=title, problem="<p>Long waits.</p>",
                             organisation=region["pct"], live=False)
        with django_capture_on_commit_callbacks(execute=True):
            index.add_child(instance=page)
            page.save_revision().publish()
        page.refresh_from_db()
        return page

    return publish


def test_published_case_study_is_found(embedded, publish_case_study):
    page = publish_case_study("Integrated teams in Bexley")

    assert [hit.key for hit in embedded.search("Bexley").hits] == [f"case_study:{page.pk}"]


def test_unpublished_case_study_leaves_search(embedded, publish_case_study, django_capture_on_commit_callbacks):
    page = publish_case_study("Integrated teams in Torbay")

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert embedded.search("Torbay").total == 0
