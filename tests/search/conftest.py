"""Fixtures for the search contract suite: each backend, and documents built from the seeds.

The Elasticsearch backend runs against a real single-node OpenSearch (Lucene),
built from Maven Central and started once per test run
(:mod:`tests.search.opensearch_node`), through :mod:`tests.search.relay`,
which fixes the two headers the ES 8 client and OpenSearch disagree on.
Without Java and Maven those tests are skipped with a message saying what to
install, except under ``CI=true``, where they fail instead.
"""
from __future__ import annotations

import os
import re
import threading
import uuid
from concurrent.futures import Future
from datetime import datetime, timezone
from pathlib import Path

import pytest

from search.demo import DEMO_DIR
from search.registry import MEMBERS, PUBLIC, SearchDocument
from tests.search.opensearch_node import OpenSearchNode, missing_tools
from tests.search.relay import Relay

#: The network's seed papers as the repository ships them (search/demo/), in the order they were numbered
#: ("seed:000" is the briefing note … "seed:004" the BANES plan): the judged queries name them by number.
SEED_FILES = [
    "pbc-briefing-note-for-practices.txt",
    "pbc-policy-into-practice.txt",
    "pbc-network-workshop-notes-2008.txt",
    "pbc-for-local-authorities.txt",
    "banes-pbc-commissioning-plan-2007-08.txt",
]
BACKENDS = ["database", "elasticsearch"]


#: The engine, being started in the background as soon as the tests are collected (see below).
_starting: Future | None = None


def _needs_engine(item) -> bool:
    if {"search_server", "elasticsearch_settings"} & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)  # the backend fixture asks for elasticsearch_settings by name
    return callspec is not None and any("elasticsearch" in str(value) for value in callspec.params.values())


def pytest_collection_modifyitems(session, config, items):
    """When a collected test needs the engine, start it now: it starts while the test database is being made."""
    global _starting
    if _starting is None and not missing_tools() and any(_needs_engine(item) for item in items):
        _starting = Future()

        def start() -> None:
            try:
                _starting.set_result(OpenSearchNode.start())
            except BaseException as error:  # handed to the fixture, which reports it
                _starting.set_exception(error)

        threading.Thread(target=start, name="opensearch-start", daemon=True).start()


def pytest_sessionfinish(session, exitstatus):
    """An engine started for tests that were then deselected or never reached is stopped too."""
    if _starting is not None and _starting.done() and not _starting.exception():
        _starting.result().close()


@pytest.fixture(scope="session")
def search_server():
    """One OpenSearch for the session, behind the header relay (indices are made per test under a unique prefix)."""
    problem = missing_tools()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the search engine: {problem}", pytrace=False)
        pytest.skip(problem)
    node = _starting.result() if _starting is not None else OpenSearchNode.start()
    try:
        with Relay(node.url) as relay:
            yield relay
    finally:
        node.close()


@pytest.fixture
def elasticsearch_settings(settings, search_server):
    """Point the portal at the relayed server, with an index prefix of this test's own."""
    settings.SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend"
    settings.ELASTICSEARCH_URL = search_server.url
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
    settings.SEARCH_ES_REFRESH = "true"
    yield search_server
    from search.backends import get_backend

    backend = get_backend()
    for index in backend._concrete_indices():
        backend.writer.indices.delete(index=index, ignore_unavailable=True)


@pytest.fixture
def database_settings(settings):
    settings.SEARCH_BACKEND = "search.backends.database.DatabaseBackend"
    settings.ELASTICSEARCH_URL = None
    return settings


@pytest.fixture(params=BACKENDS)
def backend(request, db):
    """The backend under test, empty."""
    from search.backends import get_backend

    request.getfixturevalue(f"{request.param}_settings")
    engine = get_backend()
    assert engine.name == request.param
    engine.clear()
    return engine


def make_document(pk, title, body, *, kind="case_study", audience=PUBLIC, areas=(), organisation="", date=None, url=None):
    return SearchDocument(
        kind=kind, pk=str(pk), title=title, body=body, url=url or f"/{kind}/{pk}/", audience=audience,
        service_areas=tuple(areas), organisation=organisation,
        date=date or datetime(2008, 4, 10, tzinfo=timezone.utc),
    )


def similar_work_documents() -> list[SearchDocument]:
    """Four documents "similar work" is tried on: two members' matrix entries, a public template, a members' thread."""
    return [
        make_document(1, "Community dermatology service", "A GPwSI dermatology clinic in the community takes skin referrals "
                      "away from the hospital outpatient department.", kind="matrix_entry", audience=MEMBERS),
        make_document(2, "Diabetes foot clinic", "Podiatry for diabetes patients at the practice, fewer hospital referrals.",
                      kind="matrix_entry", audience=MEMBERS),
        make_document(3, "Dermatology business case", "Business case for a dermatology GPwSI service: skin lesion clinics.",
                      kind="template", audience=PUBLIC),
        make_document(4, "Physiotherapy self-referral", "Patients refer themselves to musculoskeletal physiotherapy.",
                      kind="thread", audience=MEMBERS),
    ]


#: A member's question, put to similar work in the tests of its cost and its cache.
SIMILAR_QUESTION = "Has anyone set up a GP with special interest dermatology clinic to cut skin referrals to hospital?"


@pytest.fixture
def database_backend(db, database_settings):
    """The embedded backend holding only ``similar_work_documents()``."""
    from search.backends import get_backend

    engine = get_backend()
    assert engine.name == "database"
    engine.clear()
    engine.index_documents(similar_work_documents())
    return engine


def keys(hits) -> list[str]:
    return [hit.key for hit in hits]


def seed_documents() -> list[SearchDocument]:
    """The seed texts cut into sections of a few paragraphs, each a document ("seed:<file number>-<n>")."""
    documents = []
    kinds = ["guidance", "case_study", "document", "guidance", "document"]
    for number, name in enumerate(SEED_FILES):
        path = DEMO_DIR / name
        if not path.is_file():  # a fixture that is missing fails loudly, never runs the tests on nothing
            raise FileNotFoundError(f"Seed text {path} is missing: the search tests need the copies in search/demo/.")
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [line.strip(" *#") for line in text.splitlines() if line.strip(" *#")]
        title = lines[0][:120]
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        sections, current = [], ""
        for paragraph in paragraphs:
            current = f"{current}\n\n{paragraph}" if current else paragraph
            if len(current) > 2500:
                sections.append(current)
                current = ""
        if current:
            sections.append(current)
        for n, section in enumerate(sections):
            documents.append(make_document(
                f"{number:03d}-{n}", f"{title} (part {n + 1})", section, kind=kinds[number % len(kinds)],
                audience=PUBLIC if number % 2 == 0 else MEMBERS, date=datetime(2005 + number, 6, 1, tzinfo=timezone.utc),
                organisation=["NHS East of England", "North East Essex PCT"][number % 2],
            ))
    return documents


@pytest.fixture
def seeded(backend):
    backend.index_documents(seed_documents())
    return backend
