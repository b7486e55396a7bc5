"""The embedded backend's cost does not grow with the number of matches (timings are in bench/search_bench.py)."""
from __future__ import annotations

import pytest
from django.db import connection

from search.registry import MEMBERS
from tests.search.conftest import make_document

pytestmark = pytest.mark.django_db


def queries_per_search() -> int:
    # PostgreSQL: one statement for page, total and facets, then the page's rows (with headlines), dates and areas.
    # SQLite: groups, service areas, ranked page, snippets, dates and areas.  Both inside a savepoint.
    return 6 if connection.vendor == "postgresql" else 8


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
