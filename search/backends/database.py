"""The embedded backend: the database's own full-text search."""
from __future__ import annotations

from django.db import connection

from search.backends.base import SearchBackend


class DatabaseBackend(SearchBackend):
    name = "database"

    def check_health(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
