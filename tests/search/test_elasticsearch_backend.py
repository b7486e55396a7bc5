"""The Elasticsearch backend's own behaviour (OpenSearch through the header relay): ranking and bulk requests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from search.backends import elasticsearch as es
from search.registry import PUBLIC
from tests.search.conftest import make_document

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def engine(elasticsearch_settings, db):
    from search.backends import get_backend

    backend = get_backend()
    backend.clear()
    return backend


def keys(results):
    return [hit.key for hit in results.hits]


def test_adjusted_score_gives_a_document_dated_now_half_as_much_again():
    assert es.adjusted_score(2.0, NOW, None, NOW) == pytest.approx(3.0)


def test_adjusted_score_halves_the_recency_bonus_at_five_years_and_thirty_days():
    five_years_on = NOW - timedelta(days=es.RECENCY_SCALE_DAYS + es.RECENCY_OFFSET_DAYS)

    assert es.adjusted_score(2.0, five_years_on, None, NOW) == pytest.approx(2.0 * (1 + 0.5 * 0.5))


def test_adjusted_score_treats_a_missing_date_as_recent():
    assert es.adjusted_score(2.0, None, None, NOW) == pytest.approx(3.0)


def test_adjusted_score_multiplies_by_the_documents_boost():
    assert es.adjusted_score(2.0, NOW, 0.2, NOW) == pytest.approx(0.6)


def test_each_hit_carries_its_own_fields_and_highlight(engine):
    engine.index_documents([
        make_document(1, "Dermatology clinic", "A dermatology clinic in Colchester.", organisation="Tendring Cluster",
                      date=datetime(2008, 4, 10, tzinfo=timezone.utc)),
        make_document(2, "Skin service", "Community dermatology for Harlow.", organisation="Harlow Cluster",
                      date=datetime(2020, 4, 10, tzinfo=timezone.utc)),
    ])

    hits = {hit.key: hit for hit in engine.search("dermatology").hits}

    assert "Colchester" in hits["case_study:1"].highlight and hits["case_study:1"].organisation == "Tendring Cluster"
    assert "Harlow" in hits["case_study:2"].highlight and hits["case_study:2"].organisation == "Harlow Cluster"


def test_title_only_match_shows_the_opening_of_the_body(engine):
    engine.index_documents([make_document(1, "Dermatology", "Nurse-led clinics in Colchester started in 2007.")])

    assert "Nurse-led clinics in Colchester" in engine.search("dermatology").hits[0].highlight


def test_pages_follow_the_adjusted_order_without_repeats(engine):
    # Equal text, dated one to seven years ago: newest first, on every page.
    today = datetime.now(timezone.utc)
    engine.index_documents([
        make_document(n, "Referral guidance", "referral guidance", date=today - timedelta(days=365 * (8 - n)))
        for n in range(1, 8)
    ])

    pages = [keys(engine.search("referral", page=page, page_size=3)) for page in (1, 2, 3)]

    assert [key for page in pages for key in page] == [f"case_study:{n}" for n in range(7, 0, -1)]


def test_page_beyond_the_rescore_window_is_still_answered(engine, monkeypatch):
    monkeypatch.setattr(es, "RESCORE_WINDOW", 2)
    engine.index_documents([make_document(n, f"Clinic {n}", "prescribing clinic") for n in range(1, 8)])

    pages = [keys(engine.search("clinic", page=page, page_size=3)) for page in (1, 2, 3)]

    assert [len(page) for page in pages] == [3, 3, 1]
    assert len({key for page in pages for key in page}) == 7


def test_rebuild_across_several_bulk_requests_indexes_every_document(engine, monkeypatch):
    monkeypatch.setattr(es, "BULK_CHUNK", 100)
    documents = [make_document(n, f"Filler {n}", "filler", audience=PUBLIC) for n in range(1, 351)]

    written = engine.rebuild(iter(documents))

    assert written == 350
    assert engine.search("filler").total == 350


def test_rebuild_leaves_the_live_index_with_its_own_refresh_and_durability(engine):
    engine.rebuild(iter([make_document(1, "Dermatology", "skin clinic")]))

    live = engine.client.indices.get_settings(index=engine.alias, flat_settings=True).body
    settings = next(iter(live.values()))["settings"]
    assert settings.get("index.refresh_interval", "1s") != "-1"
    assert settings.get("index.translog.durability", "request") == "request"


def test_several_hits_matched_in_the_title_only_each_show_the_opening_of_their_own_body(engine):
    engine.index_documents([make_document(n, f"Dermatology {n}", f"Clinic number {n} opened in Colchester.") for n in (1, 2, 3)])

    hits = {hit.key: hit.highlight for hit in engine.search("dermatology").hits}

    assert all(f"Clinic number {n} opened" in hits[f"case_study:{n}"] for n in (1, 2, 3))
