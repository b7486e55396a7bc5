"""Elasticsearch 8 through elasticsearch-dsl, when ELASTICSEARCH_URL is set."""
from __future__ import annotations

from django.conf import settings

from search.backends.base import SearchBackend, SearchUnavailable


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self) -> None:
        from elasticsearch import Elasticsearch

        self.client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=5, retry_on_timeout=False, max_retries=0)

    def check_health(self) -> None:
        if not self.client.ping():
            raise SearchUnavailable(f"Elasticsearch at {settings.ELASTICSEARCH_URL} did not answer")
