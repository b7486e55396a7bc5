"""The embedded backend's cost does not grow with the number of matches (timings are in bench/search_bench.py)."""
from __future__ import annotations

import pytest
from django.db import connection

from search.registry import MEMBERS
from tests.search.conftest import make_document

pytestmark = pytest.mark.django_db


def queries_per_search() -> int:
    # PostgreSQL: the planner's estimate of the matches, one statement for page, total and facets, then the page's
    # rows (with headlines), dates and areas.  SQLite: the count of matches, one statement for page, total and
    # facets, then the page's rows, dates, areas and snippets.  Both inside a savepoint.
    return 7 if connection.vendor == "postgresql" else 8


@pytest.mark.parametrize("matching", [3, 40])
def test_search_runs_a_fixed_number_of_queries_however_many_documents_match(database_settings, django_assert_num_queries, matching):
    from search.backends import get_backend

    backend = get_backend()
    backend.clear()
    backend.index_documents(
        make_document(n, f"Dermatology clinic {n}", "A community dermatology service run by GPs with a special interest.",
                      areas=["Dermatology", "Minor surgery"], organisation=f"Cluster {n % 4}")
        for n in range(matching)
    )
    with django_assert_num_queries(queries_per_search()):
        results = backend.search("dermatology", viewer_audience=MEMBERS, page_size=10)
    assert results.total == matching
    assert len(results.hits) == min(10, matching)
    assert {facet.value: facet.count for facet in results.facets["service_area"]} == {"Dermatology": matching, "Minor surgery": matching}


def common_query_settings(settings, **overrides):
    """Make a query over a few hundred documents "very common", with a sample of a tenth of the table's pages."""
    settings.SEARCH_DB_COMMON_MATCHES = 50
    settings.SEARCH_DB_SAMPLE_MATCHES = 20
    settings.SEARCH_DB_MAX_SAMPLE_PERCENT = 10
    settings.SEARCH_DB_MIN_SAMPLE_MATCHES = 1
    settings.SEARCH_DB_TITLE_CANDIDATES = 5
    for name, value in overrides.items():
        setattr(settings, f"SEARCH_DB_{name}", value)


def index_common_word(backend, count: int, best_key_pk: str = "best") -> None:
    """``count`` recent documents that mention "dermatology" in passing, and one old one with it in the title."""
    from datetime import datetime, timezone

    body = "Notes from the locality meeting. " * 20 + "A short word on dermatology referrals. " + "Other business. " * 20
    documents = [
        make_document(n, f"Locality meeting {n}", body, organisation=f"Cluster {n % 4}", areas=["Dermatology"],
                      date=datetime(2026, 1 + n % 12, 1, tzinfo=timezone.utc))
        for n in range(count)
    ]
    documents.append(make_document(best_key_pk, "Dermatology dermatology: the dermatology business case",
                                   "How the dermatology service was re-designed. Dermatology clinics in the community.",
                                   date=datetime(2005, 3, 1, tzinfo=timezone.utc)))
    backend.rebuild(documents)  # ends with ANALYZE on PostgreSQL: the planner's estimate is what makes a query common


def test_a_query_matching_more_documents_than_are_ranked_still_returns_the_best_match_first(database_settings, settings):
    from search.backends import get_backend

    common_query_settings(settings)
    backend = get_backend()
    index_common_word(backend, 400)
    results = backend.search("dermatology", viewer_audience=MEMBERS, page_size=10)
    assert results.hits[0].key == "case_study:best"


def test_a_very_common_query_estimates_its_total_from_a_sample(database_settings, settings):
    from search.backends import get_backend

    common_query_settings(settings)
    backend = get_backend()
    index_common_word(backend, 400)
    results = backend.search("dermatology", viewer_audience=MEMBERS, page_size=10)
    assert results.approximate
    assert results.ranked < 401  # only the sample's matches and the newest title matches were ranked
    assert results.page_count == -(-results.ranked // 10)
    assert sum(f.count for f in results.facets["kind"]) >= results.total * 0.9  # facets are scaled like the total


def test_a_selective_query_is_counted_exactly(database_settings, settings):
    from search.backends import get_backend

    common_query_settings(settings, COMMON_MATCHES=1_000)
    backend = get_backend()
    index_common_word(backend, 400)
    results = backend.search("dermatology", viewer_audience=MEMBERS, page_size=10)
    assert not results.approximate and results.ranked is None
    assert results.total == 401
    assert {f.value: f.count for f in results.facets["service_area"]} == {"Dermatology": 400}


def test_a_common_query_with_too_few_matches_in_its_sample_is_counted_exactly(database_settings, settings):
    from search.backends import get_backend

    common_query_settings(settings, MIN_SAMPLE_MATCHES=10_000)
    backend = get_backend()
    index_common_word(backend, 400)
    results = backend.search("dermatology", viewer_audience=MEMBERS, page_size=10)
    assert not results.approximate
    assert results.total == 401
    assert results.hits[0].key == "case_study:best"


def test_an_estimated_total_is_shown_as_about_so_many_results(client, database_settings, settings):
    from search.backends import get_backend

    common_query_settings(settings)
    backend = get_backend()
    index_common_word(backend, 400)
    page = client.get("/search/", {"q": "dermatology"}).content.decode()
    assert "About " in page and " results" in page


def test_a_long_documents_headline_shows_where_the_query_words_come_together(database_settings):
    """A long body's headline is drawn from a window (PostgreSQL): it must still find the words together far into the text."""
    from search.backends import get_backend

    filler = "The cluster met to talk about the agenda for the next quarter. "
    body = (filler * 15 + "A dermatology clinic was mentioned. " + filler * 600
            + "The dermatology business case was approved by the PCT. " + filler * 100)
    assert len(body) > 40_000 and body.index("business") > 35_000
    backend = get_backend()
    backend.clear()
    backend.index_documents([make_document(1, "Cluster minutes", body)])

    results = backend.search("dermatology business case", viewer_audience=MEMBERS)

    assert "business case</mark>" in results.hits[0].highlight
