"""The embedded backend's similar work keeps its answers and word counts in the cache, never at the cost of visibility.

The ranked answer is kept for up to ``SIMILAR_ANSWER_SECONDS`` (whatever is
written to the index meanwhile); the document frequencies it weighs words by
are kept for ``SIMILAR_STATISTICS_SECONDS``; and what the viewer may see, with
each title and address, is checked against the index on every call.
"""
from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from search.registry import MEMBERS, PUBLIC
from tests.search.conftest import SIMILAR_QUESTION as QUESTION, keys, make_document


def test_similar_asked_again_runs_only_the_visibility_check(database_backend, django_assert_num_queries):
    first = database_backend.similar(QUESTION, viewer_audience=MEMBERS)

    with django_assert_num_queries(1):  # the check of what the viewer may see (and each title) now
        again = database_backend.similar(QUESTION, viewer_audience=MEMBERS)

    assert keys(again) == keys(first) and "matrix_entry:1" in keys(again)


def _ask_then_index_an_audit_at(backend, moment) -> None:
    """At ``moment``, ask for similar work (so its answer is kept), then index a case study that would rank in it."""
    with time_machine.travel(moment, tick=False):
        backend.similar(QUESTION, viewer_audience=MEMBERS)
        backend.index_documents([make_document(5, "Dermatology clinic referrals audit", "Skin referrals to the hospital "
                                               "dermatology clinic, audited.", kind="case_study", audience=MEMBERS)])


def test_similar_keeps_its_answer_when_another_document_is_indexed(database_backend):
    now = timezone.now()
    _ask_then_index_an_audit_at(database_backend, now)

    with time_machine.travel(now, tick=False):
        assert "case_study:5" not in keys(database_backend.similar(QUESTION, viewer_audience=MEMBERS))


def test_similar_shows_a_newly_indexed_document_once_the_kept_answer_expires(database_backend):
    from search.backends.database import SIMILAR_ANSWER_SECONDS

    now = timezone.now()
    _ask_then_index_an_audit_at(database_backend, now)

    with time_machine.travel(now + timedelta(seconds=SIMILAR_ANSWER_SECONDS), tick=False):
        assert "case_study:5" in keys(database_backend.similar(QUESTION, viewer_audience=MEMBERS))


def test_similar_shows_a_renamed_documents_new_title_on_the_next_call(database_backend):
    assert "matrix_entry:1" in keys(database_backend.similar(QUESTION, viewer_audience=MEMBERS))

    database_backend.index_documents([make_document(1, "Community skin service", "A GPwSI dermatology clinic in the community "
                                                    "takes skin referrals away from the hospital outpatient department.",
                                                    kind="matrix_entry", audience=MEMBERS)])

    titles = {hit.key: hit.title for hit in database_backend.similar(QUESTION, viewer_audience=MEMBERS)}
    assert titles.get("matrix_entry:1") == "Community skin service"


def test_similar_drops_a_deleted_document_on_the_next_call(database_backend):
    assert "matrix_entry:1" in keys(database_backend.similar(QUESTION, viewer_audience=MEMBERS))

    database_backend.delete_documents(["matrix_entry:1"])

    assert "matrix_entry:1" not in keys(database_backend.similar(QUESTION, viewer_audience=MEMBERS))


def test_similar_checks_the_audience_on_every_call_even_when_the_index_changes_behind_its_back(database_backend):
    from search.models import IndexedDocument

    assert keys(database_backend.similar(QUESTION, viewer_audience=PUBLIC)) == ["template:3"]

    # Not through the backend, so nothing forgets the cached answer: only the per-call check can catch it.
    IndexedDocument.objects.filter(key="template:3").update(audience=MEMBERS)

    assert database_backend.similar(QUESTION, viewer_audience=PUBLIC) == []


def test_similar_never_gives_the_public_an_answer_kept_for_members(database_backend):
    assert "matrix_entry:1" in keys(database_backend.similar(QUESTION, viewer_audience=MEMBERS))

    assert keys(database_backend.similar(QUESTION, viewer_audience=PUBLIC)) == ["template:3"]


def test_a_word_new_to_the_index_counts_in_similar_work_once_its_count_expires(database_backend):
    """A word no document held was counted as absent; a document with it shows once that count's period is over."""
    from datetime import datetime
    from datetime import timezone as tz

    from search.backends.database import SIMILAR_ANSWER_SECONDS

    seconds = database_backend.SIMILAR_STATISTICS_SECONDS
    text = "Teledermatology photographs for skin referrals"
    start = datetime.fromtimestamp((int(timezone.now().timestamp()) // seconds + 1) * seconds, tz=tz.utc)  # a period begins
    with time_machine.travel(start, tick=False):
        assert "case_study:6" not in keys(database_backend.similar(text, viewer_audience=MEMBERS))
        database_backend.index_documents([make_document(6, "Teledermatology pilot", "Teledermatology photographs sent by "
                                                        "practices.", kind="case_study", audience=MEMBERS)])

    with time_machine.travel(start + timedelta(seconds=seconds - 1), tick=False):
        assert "case_study:6" not in keys(database_backend.similar(text, viewer_audience=MEMBERS))
    # Once the count's period is over and the answer kept meanwhile has expired too (each ends on its own clock).
    with time_machine.travel(start + timedelta(seconds=seconds + SIMILAR_ANSWER_SECONDS), tick=False):
        assert "case_study:6" in keys(database_backend.similar(text, viewer_audience=MEMBERS))


def test_similar_counts_the_first_documents_of_an_empty_index_at_once(db, database_settings):
    from search.backends import get_backend

    engine = get_backend()
    engine.clear()
    assert engine.similar(QUESTION, viewer_audience=PUBLIC) == []

    engine.index_documents([make_document(3, "Dermatology business case", "Business case for a dermatology GPwSI "
                                          "service: skin lesion clinics.", kind="template", audience=PUBLIC)])

    assert keys(engine.similar(QUESTION, viewer_audience=PUBLIC)) == ["template:3"]


def _statistics_keys(backend, text: str, audience: str) -> tuple[str, list[str]]:
    """The lock and cache keys of this period's word counts for ``text`` and one viewer's audiences."""
    from search.analysis import key_terms
    from search.backends.base import visible_audiences
    from search.backends.database import _cache_word

    period = int(timezone.now().timestamp() // backend.SIMILAR_STATISTICS_SECONDS)
    scope = f"{period}:{','.join(visible_audiences(audience))}:"  # similar work of every kind (none named)
    words = [f"search.similar.df:{scope}:{_cache_word(term)}" for term, _ in key_terms(text, limit=40)]
    return f"search.similar.counting:{scope}", [f"search.similar.total:{scope}", *words]


def _similar_with_counting_queries(backend, text: str) -> tuple[list[str], list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        hits = backend.similar(text, viewer_audience=MEMBERS)
    return keys(hits), [query["sql"] for query in captured.captured_queries if "COUNT(*)" in query["sql"]]


def test_similar_uses_the_counts_another_caller_is_taking_instead_of_counting_them_again(database_backend):
    """Many members opening one busy thread as a period begins: one counts, the others wait for its counts."""
    import threading

    from django.core.cache import cache

    from portal.core import fragments
    from search.backends.database import SIMILAR_RESULTS

    with time_machine.travel(timezone.now().replace(minute=3, second=0), tick=True):  # well inside a period
        first = keys(database_backend.similar(QUESTION, viewer_audience=MEMBERS))
        lock, statistics = _statistics_keys(database_backend, QUESTION, MEMBERS)
        counts = cache.get_many(statistics)
        cache.delete_many(list(counts))
        fragments.forget(SIMILAR_RESULTS)
        assert cache.add(lock, 1, 30)  # another caller is counting these words now

        def other_caller_finishes() -> None:
            cache.set_many(counts, 600)
            cache.delete(lock)

        threading.Timer(0.3, other_caller_finishes).start()
        hits, counting = _similar_with_counting_queries(database_backend, QUESTION)

    assert counting == [] and hits == first


def test_similar_counts_for_itself_when_the_other_caller_lets_go_without_counts(database_backend):
    import threading

    from django.core.cache import cache

    with time_machine.travel(timezone.now().replace(minute=3, second=0), tick=True):
        lock, _ = _statistics_keys(database_backend, QUESTION, MEMBERS)
        assert cache.add(lock, 1, 30)
        threading.Timer(0.3, cache.delete, args=(lock,)).start()  # it died, or counted other words
        hits, counting = _similar_with_counting_queries(database_backend, QUESTION)

    assert counting and "matrix_entry:1" in hits


def test_similar_weighs_a_words_rarity_among_the_kinds_it_looks_through(database_backend):
    """A word in most of the portal's documents, but in one piece of re-design work, still finds that work."""
    database_backend.index_documents(
        [make_document(100 + n, f"Practice newsletter {n}", "Procurement news for every practice.", kind="document",
                       audience=MEMBERS) for n in range(30)]
        + [make_document(7, "Procurement of a community service", "Procurement steps the cluster followed.",
                         kind="matrix_entry", audience=MEMBERS)]
    )

    assert keys(database_backend.similar("Procurement", viewer_audience=MEMBERS, kinds=["matrix_entry"])) == ["matrix_entry:7"]
