"""The interface every search backend implements."""
from __future__ import annotations


class SearchUnavailable(Exception):
    """The search engine cannot be reached; callers show a plain message."""


class SearchBackend:
    name = "base"

    def check_health(self) -> None:
        """Raise if the engine cannot answer; used by /health/."""
        raise NotImplementedError("Search backends must implement check_health()")
