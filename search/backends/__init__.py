"""Search backends, chosen by ``settings.SEARCH_BACKEND``; views never talk to a backend's engine."""
from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from search.backends.base import SearchBackend


@lru_cache(maxsize=8)
def _load(path: str, url: str | None) -> SearchBackend:
    # Keyed by the engine's address too, so a changed ELASTICSEARCH_URL (tests) gets a fresh client.
    return import_string(path)()


def get_backend() -> SearchBackend:
    return _load(settings.SEARCH_BACKEND, getattr(settings, "ELASTICSEARCH_URL", None))
