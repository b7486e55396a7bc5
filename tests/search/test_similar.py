"""The "more like this" contract: both backends find similar work, within what the viewer may see."""
from __future__ import annotations

from search.registry import MEMBERS, PUBLIC
from tests.search.conftest import similar_work_documents

QUESTION = "Has anyone set up a GP with special interest dermatology clinic to cut skin referrals to hospital?"


def _region(backend):
    backend.index_documents(similar_work_documents())


def keys(hits):
    return [hit.key for hit in hits]


def test_similar_finds_the_dermatology_work_for_a_dermatology_question(backend):
    _region(backend)

    found = keys(backend.similar(QUESTION, viewer_audience=MEMBERS))

    assert set(found[:2]) == {"matrix_entry:1", "template:3"}


def test_similar_never_returns_members_only_work_to_the_public(backend):
    _region(backend)

    assert keys(backend.similar(QUESTION, viewer_audience=PUBLIC)) == ["template:3"]


def test_similar_keeps_only_the_kinds_asked_for(backend):
    _region(backend)

    assert keys(backend.similar(QUESTION, viewer_audience=MEMBERS, kinds=["template"])) == ["template:3"]


def test_similar_leaves_out_excluded_documents(backend):
    _region(backend)

    found = keys(backend.similar(QUESTION, viewer_audience=MEMBERS, exclude=["matrix_entry:1"]))

    assert "matrix_entry:1" not in found and found[0] == "template:3"


def test_similar_respects_the_limit(backend):
    _region(backend)

    assert len(backend.similar("clinic referrals hospital dermatology diabetes", viewer_audience=MEMBERS, limit=2)) == 2


def test_similar_to_text_without_meaningful_words_finds_nothing(backend):
    _region(backend)

    assert backend.similar("what is the and how do we", viewer_audience=MEMBERS) == []


def test_similar_on_an_empty_index_finds_nothing(backend):
    assert backend.similar(QUESTION, viewer_audience=MEMBERS) == []
