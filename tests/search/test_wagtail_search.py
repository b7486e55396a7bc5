"""Wagtail's own (admin) search: Elasticsearch 8 when ELASTICSEARCH_URL is set, the database otherwise."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile

ROOT = Path(__file__).resolve().parents[2]


def wagtail_backend_class(env_extra: dict) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ELASTICSEARCH_URL"} | env_extra
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup(); "
            "from wagtail.search.backends import get_search_backend; print(type(get_search_backend()).__module__)")
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def test_wagtail_search_uses_elasticsearch8_when_configured():
    assert wagtail_backend_class({"ELASTICSEARCH_URL": "http://127.0.0.1:9200"}) == "modelsearch.backends.elasticsearch8"


def test_wagtail_search_uses_the_database_otherwise():
    assert wagtail_backend_class({}).startswith("modelsearch.backends.database")


def test_wagtail_elasticsearch8_backend_finds_a_document(search_server, settings, db, tmp_path):
    """Through the header relay, Wagtail's own ES 8 backend maps, indexes and searches OpenSearch for real."""
    from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend
    from wagtail.documents import get_document_model

    settings.MEDIA_ROOT = tmp_path
    document = get_document_model().objects.create(title="Dermatology business case template", file=ContentFile(b"x", name="t.txt"))
    backend = Elasticsearch8SearchBackend({"URLS": [search_server.url], "INDEX_PREFIX": f"t{document.pk}-wagtail-", "TIMEOUT": 10})
    index = backend.get_index_for_model(get_document_model())
    index.reset()
    index.add_model(get_document_model())
    index.add_item(document)
    index.refresh()
    try:
        results = list(backend.search("dermatology", get_document_model()))
    finally:
        index.delete()

    assert results == [document]
