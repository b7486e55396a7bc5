"""What similar work costs the embedded backend: which index it can read, and how many statements it runs.

The thread, re-design and template pages each ask for similar work when they
are drawn; on PostgreSQL at 116,000 documents it was most of the database's
time per uncached thread page (bench/HISTORY.md).
"""
from __future__ import annotations

import pytest
from django.db import connection

from search.registry import MEMBERS
from tests.search.conftest import SIMILAR_QUESTION as QUESTION, keys

WORK_KINDS = ["matrix_entry", "case_study", "template", "thread"]


def test_similar_work_ranked_afresh_is_one_statement_after_its_word_counts(database_backend, django_assert_num_queries):
    from portal.core import fragments
    from search.backends.database import SIMILAR_RESULTS

    first = database_backend.similar(QUESTION, viewer_audience=MEMBERS, kinds=WORK_KINDS)  # counts the words
    fragments.forget(SIMILAR_RESULTS)

    # PostgreSQL: the savepoint, the ranked hits with their areas, the visibility check, the release.  SQLite's path
    # was not reworked (it ranks a few thousand documents at most in embedded use): seven statements, as before.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 7):
        again = database_backend.similar(QUESTION, viewer_audience=MEMBERS, kinds=WORK_KINDS)

    assert keys(again) == keys(first) and "matrix_entry:1" in keys(again)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_postgresql_index_of_work_holds_every_kind_similar_work_looks_through(db):
    """The planner reads the partial index of work (migration 0007) only when the query's kinds are all in it."""
    from search.queries import SIMILAR_KINDS

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_indexeddocument_work_gin'")
        (definition,) = cursor.fetchone()

    assert "USING gin (search_vector)" in definition
    assert all(f"'{kind}'" in definition for kind in SIMILAR_KINDS)
