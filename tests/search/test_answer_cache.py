"""Cached search answers: a repeated search is answered from the cache, and every change to the index shows at once.

Each invalidation path is the real one the portal uses: the services' writes
(``write_documents``, ``delete_entry``), the embedded backend's own writes, and
a rebuild.  The cache holds answers per audience, so a visitor is never shown
what was cached for a member.
"""
from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import transaction

from search.registry import MEMBERS, PUBLIC
from search.services import delete_entry, write_documents
from tests.search.conftest import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(database_settings):
    from search.backends import get_backend

    backend = get_backend()
    backend.clear()
    backend.index_documents([
        make_document(1, "Community dermatology service", "A dermatology business case for the cluster."),
        make_document(2, "Dermatology tariff figures", "Members-only dermatology budget figures.", audience=MEMBERS),
    ])
    return backend


def titles(query: str, user=None) -> list[str]:
    from search.queries import run_search

    return [hit.title for hit in run_search(query, user or AnonymousUser()).hits]


def test_repeated_search_is_answered_without_a_query(indexed, django_assert_num_queries):
    titles("dermatology")

    with django_assert_num_queries(0):
        assert titles("dermatology") == ["Community dermatology service"]


def test_repeated_search_page_runs_no_query_for_a_visitor(client, indexed, django_assert_num_queries):
    client.get("/search/", {"q": "dermatology"})

    with django_assert_num_queries(0):
        response = client.get("/search/", {"q": "dermatology"})

    assert b"Community dermatology service" in response.content


def test_new_document_shows_on_the_next_search(indexed):
    titles("dermatology")

    write_documents([make_document(3, "Dermatology triage pathway", "GPwSI dermatology triage.")])

    assert "Dermatology triage pathway" in titles("dermatology")


def test_new_document_written_by_the_backend_shows_on_the_next_search(indexed):
    titles("dermatology")

    indexed.index_documents([make_document(3, "Dermatology triage pathway", "GPwSI dermatology triage.")])

    assert "Dermatology triage pathway" in titles("dermatology")


def test_changed_document_shows_on_the_next_search(indexed):
    titles("dermatology")

    write_documents([make_document(1, "Community skin service", "A dermatology business case, renamed.")])

    assert titles("dermatology") == ["Community skin service"]


def test_deleted_document_disappears_on_the_next_search(indexed):
    titles("dermatology")

    delete_entry("case_study:1")

    assert titles("dermatology") == []


def test_document_made_members_only_disappears_for_visitors_on_the_next_search(indexed):
    titles("dermatology")

    write_documents([make_document(1, "Community dermatology service", "A dermatology business case.", audience=MEMBERS)])

    assert titles("dermatology") == []


def test_document_made_public_appears_for_visitors_on_the_next_search(indexed):
    titles("tariff")

    write_documents([make_document(2, "Dermatology tariff figures", "Now public dermatology figures.", audience=PUBLIC)])

    assert titles("tariff") == ["Dermatology tariff figures"]


def test_cleared_index_shows_on_the_next_search(indexed):
    titles("dermatology")

    indexed.clear()

    assert titles("dermatology") == []


def test_rebuild_drops_stale_documents_on_the_next_search(indexed):
    titles("dermatology")

    call_command("rebuild_search_index", "--backend", "database", "--no-progress")

    assert titles("dermatology") == []


def test_write_inside_a_transaction_shows_after_commit_even_if_searched_before_it(indexed, django_capture_on_commit_callbacks):
    titles("dermatology")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            indexed.index_documents([make_document(3, "Dermatology triage pathway", "GPwSI dermatology triage.")])
            titles("dermatology")  # a search during the transaction caches under the generation it read

    assert "Dermatology triage pathway" in titles("dermatology")


def test_visitor_is_never_answered_from_a_members_cached_search(indexed, member):
    assert "Dermatology tariff figures" in titles("dermatology", member.user)

    assert titles("dermatology") == ["Community dermatology service"]


def test_member_is_not_answered_from_a_visitors_cached_search(indexed, member):
    titles("dermatology")

    assert "Dermatology tariff figures" in titles("dermatology", member.user)


def test_visitor_page_is_never_the_members_cached_page(client_for, client, member, indexed):
    assert b"Dermatology tariff figures" in client_for(member).get("/search/", {"q": "dermatology"}).content
    client.logout()

    response = client.get("/search/", {"q": "dermatology"})

    assert b"Community dermatology service" in response.content
    assert b"Dermatology tariff figures" not in response.content


def test_search_page_shows_a_new_document_on_the_next_request(client, indexed):
    client.get("/search/", {"q": "dermatology"})

    write_documents([make_document(3, "Dermatology triage pathway", "GPwSI dermatology triage.")])

    assert b"Dermatology triage pathway" in client.get("/search/", {"q": "dermatology"}).content


def test_fallback_answer_is_not_cached(client, elasticsearch_settings, db):
    write_documents([make_document(1, "Community dermatology service", "A dermatology business case.")])
    elasticsearch_settings.paused.set()
    try:
        assert b"simpler built-in search" in client.get("/search/", {"q": "dermatology"}).content
    finally:
        elasticsearch_settings.paused.clear()

    response = client.get("/search/", {"q": "dermatology"})

    assert b"simpler built-in search" not in response.content
    assert b"Community dermatology service" in response.content


def test_answer_is_kept_no_longer_than_its_time_limit(settings, indexed):
    """What a cached answer cannot see change (here a row edited behind the index's back) shows once it expires."""
    from search.models import IndexedDocument

    settings.SEARCH_ANSWER_SECONDS = 1
    titles("dermatology")
    IndexedDocument.objects.filter(key="case_study:1").update(title="Community skin service")
    assert titles("dermatology") == ["Community dermatology service"]  # still the cached answer

    time.sleep(1.2)

    assert titles("dermatology") == ["Community skin service"]
