"""The search page: permissions, highlights, facets, did-you-mean, and an engine that is down."""
from __future__ import annotations

import pytest

from search.registry import MEMBERS
from tests.search.conftest import make_document


@pytest.fixture
def indexed(database_settings, db):
    from search.backends import get_backend

    backend = get_backend()
    backend.clear()
    backend.index_documents([
        make_document(1, "Community dermatology service", "A dermatology business case <script>alert(1)</script>.",
                      kind="case_study", areas=["Dermatology"], organisation="Tendring Cluster"),
        make_document(2, "Dermatology tariff figures", "Members-only dermatology budget figures.", kind="template",
                      audience=MEMBERS, areas=["Dermatology"], organisation="Colchester Town Cluster"),
    ])
    return backend


def test_anonymous_visitor_sees_public_results_only(client, indexed):
    response = client.get("/search/", {"q": "dermatology"})

    assert response.status_code == 200
    assert b"Community dermatology service" in response.content
    assert b"tariff figures" not in response.content
    assert b"Colchester Town Cluster" not in response.content  # not even as a facet


def test_member_sees_members_results(client_for, member, indexed):
    response = client_for(member).get("/search/", {"q": "dermatology"})

    assert b"Community dermatology service" in response.content
    assert b"Dermatology tariff figures" in response.content


def test_highlights_are_marked_and_markup_is_escaped(client, indexed):
    response = client.get("/search/", {"q": "business case"})

    content = response.content.decode()
    assert "<mark>business case</mark>" in content
    assert "<script>alert(1)</script>" not in content


def test_facet_links_filter_results(client_for, member, indexed):
    client = client_for(member)
    page = client.get("/search/", {"q": "dermatology"}).content.decode()
    assert "?q=dermatology&amp;kind=template" in page

    response = client.get("/search/", {"q": "dermatology", "kind": "template"})

    assert b"Dermatology tariff figures" in response.content
    assert b"Community dermatology service" not in response.content
    assert b"Remove filter: Templates" in response.content


def test_misspelling_shows_results_for_the_correction_with_a_way_back(client, indexed):
    response = client.get("/search/", {"q": "dermatolgy"})

    content = response.content.decode()
    assert "Showing results for <strong>dermatology</strong>" in content
    assert "Community dermatology service" in content
    assert 'href="?q=dermatolgy&amp;spelling=exact"' in content


def test_search_instead_for_what_was_typed_searches_it_as_typed(client, indexed):
    response = client.get("/search/", {"q": "dermatolgy", "spelling": "exact"})

    content = response.content.decode()
    assert "Showing results for" not in content
    assert "No results" in content


def test_empty_page_offers_places_to_browse_and_the_forum(client, indexed):
    content = client.get("/search/", {"q": "zzzzqqq"}).content.decode()

    assert 'href="/redesign/case-studies/"' in content and 'href="/redesign/"' in content
    assert 'href="/redesign/templates/"' in content and 'href="/forum/"' in content
    assert "remove a filter" not in content


def test_empty_page_offers_to_remove_a_filter_only_when_one_is_set(client, indexed):
    content = client.get("/search/", {"q": "zzzzqqq", "kind": "event"}).content.decode()

    assert "remove a filter" in content


def test_visitor_is_told_members_can_search_more_without_saying_what(client, indexed):
    content = client.get("/search/", {"q": "tariff"}).content.decode()

    assert "Members of the network can search more" in content
    assert "tariff figures" not in content and "Colchester" not in content and "Templates" not in content


def test_member_is_not_told_to_sign_in(client_for, member, indexed):
    content = client_for(member).get("/search/", {"q": "dermatology"}).content.decode()

    assert "Members of the network can search more" not in content


def test_past_event_is_marked_past(client, database_settings, db):
    from datetime import datetime, timedelta, timezone

    from search.backends import get_backend

    backend = get_backend()
    backend.clear()
    backend.index_documents([make_document(1, "Business case training", "training", kind="event",
                                           date=datetime.now(timezone.utc) - timedelta(days=30))])

    assert b">Past</strong>" in client.get("/search/", {"q": "training"}).content


def test_pagination_links_to_next_page(client, database_settings, db):
    from search.backends import get_backend

    backend = get_backend()
    backend.clear()
    backend.index_documents([make_document(n, f"Clinic {n}", "prescribing clinic") for n in range(1, 15)])

    first = client.get("/search/", {"q": "clinic"}).content.decode()
    second = client.get("/search/", {"q": "clinic", "page": "2"}).content.decode()

    assert "page=2" in first and "Page 2" in first
    assert "page 2 of 2" in second and second.count('search-result"') == 4


def test_blank_query_shows_the_search_form(client, db):
    response = client.get("/search/")

    assert response.status_code == 200
    assert b'name="q"' in response.content


@pytest.mark.parametrize("size", [3, 12])
def test_results_page_query_count_does_not_grow_with_results(client, database_settings, db, django_assert_max_num_queries, size):
    from search.backends import get_backend

    backend = get_backend()
    backend.clear()
    backend.index_documents([make_document(n, f"Clinic {n}", "prescribing clinic", areas=["Prescribing"]) for n in range(size)])

    with django_assert_max_num_queries(12):
        response = client.get("/search/", {"q": "clinic"})

    assert response.status_code == 200


def test_unreachable_elasticsearch_falls_back_to_the_embedded_backend(client, settings, indexed):
    settings.SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens on the discard port

    response = client.get("/search/", {"q": "dermatology"})

    assert response.status_code == 200
    assert b"simpler built-in search" in response.content
    assert b"Community dermatology service" in response.content


def test_paused_elasticsearch_falls_back_too(client, elasticsearch_settings, db):
    from search.backends.database import DatabaseBackend

    DatabaseBackend().clear()
    DatabaseBackend().index_documents([make_document(1, "Community dermatology service", "dermatology")])
    elasticsearch_settings.paused.set()
    try:
        response = client.get("/search/", {"q": "dermatology"})
    finally:
        elasticsearch_settings.paused.clear()

    assert response.status_code == 200
    assert b"simpler built-in search" in response.content


def test_search_down_everywhere_shows_a_plain_message_not_an_error(client, db):
    from django.db import connection

    # Break the real full-text index (rolled back with the test's transaction).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE search_fts")
        else:
            cursor.execute("ALTER TABLE search_indexeddocument DROP COLUMN search_vector")

    response = client.get("/search/", {"q": "dermatology"})

    assert response.status_code == 503
    assert b"Search is not working at the moment" in response.content
    assert b"full-text" not in response.content


@pytest.fixture
def people(database_settings, make_member, region, service_areas):
    """Four GPs working on musculoskeletal care, and a musculoskeletal matrix entry and case study, all indexed.

    Each GP's telephone number is for their own organisation only, and their e-mail address for administrators.
    """
    from search.backends import get_backend
    from search.services import refresh_entry

    backend = get_backend()
    backend.clear()
    backend.index_documents([
        make_document(1, "Community MSK triage service", "Musculoskeletal triage by extended-scope physiotherapists.",
                      kind="matrix_entry", audience=MEMBERS, areas=["Musculoskeletal"], organisation="Tendring Cluster"),
        make_document(2, "Self-referral to physiotherapy in Tendring", "Musculoskeletal patients refer themselves.",
                      kind="case_study", areas=["Musculoskeletal"], organisation="Tendring Cluster"),
    ])
    gps = [make_member(first_name=first, last_name="Ashdown", organisations=[region["other_practice"]], job_title="GPwSI",
                       bio="Runs the musculoskeletal clinic.", phone=f"01255 555 01{n}", phone_visibility="organisation",
                       email_visibility="admins")
           for n, first in enumerate(["William", "Wendy", "Walter", "Wilma"])]
    for gp in gps:
        gp.specialties.add(service_areas["Musculoskeletal"])
        refresh_entry("member", str(gp.pk))
    return gps


def test_member_sees_people_in_their_own_block_and_topics_in_the_ranked_list(client_for, member, people):
    content = client_for(member).get("/search/", {"q": "Ashdown musculoskeletal"}).content.decode()

    ranked = content.split('class="nhsuk-list search-results"', 1)[1]
    assert "Community MSK triage service" in ranked and "Ashdown" not in ranked
    block = content.split("data-search-block", 1)[1].split("</section>", 1)[0]
    assert '<h2 class="nhsuk-heading-m" id="search-block-1">People</h2>' in block
    assert block.count("<li") == 3  # at most three, in a list
    assert 'href="?q=Ashdown+musculoskeletal&amp;kind=member">See all 4 people</a>' in block


def test_see_all_people_lists_the_people_alone(client_for, member, people):
    content = client_for(member).get("/search/", {"q": "Ashdown musculoskeletal", "kind": "member"}).content.decode()

    assert content.count('search-result"') == 4 and "data-search-block" not in content
    assert "Community MSK triage service" not in content


def test_people_block_shows_no_contact_detail_the_viewer_may_not_see(client_for, member, people):
    content = client_for(member).get("/search/", {"q": "Ashdown"}).content.decode()

    assert sum(gp.display_name in content for gp in people) == 3  # the block's three
    assert not [gp for gp in people if gp.phone in content or gp.user.email in content]


def test_people_block_shows_a_contact_detail_every_member_may_see(client_for, member, people):
    from search.services import refresh_entry

    william = people[0]
    william.phone_visibility = "members"
    william.save(update_fields=["phone_visibility"])
    refresh_entry("member", str(william.pk))

    content = client_for(member).get("/search/", {"q": "William Ashdown"}).content.decode()

    assert william.phone in content.split("data-search-block", 1)[1].split("</section>", 1)[0]


def test_anonymous_visitor_sees_no_people_block_and_no_names(client, people):
    content = client.get("/search/", {"q": "Ashdown musculoskeletal"}).content.decode()

    assert "Self-referral to physiotherapy in Tendring" in content
    assert "data-search-block" not in content and ">People<" not in content
    assert not [gp for gp in people if gp.user.first_name in content]
