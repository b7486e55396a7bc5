"""Test-only backends standing in for engines that are down (plugged in through settings.SEARCH_BACKEND)."""
from __future__ import annotations

from search.backends.base import SearchUnavailable
from search.backends.database import DatabaseBackend


class DownDatabaseBackend(DatabaseBackend):
    """An embedded backend whose database full-text cannot answer."""

    def search(self, *args, **kwargs):
        raise SearchUnavailable("the full-text table is missing")
