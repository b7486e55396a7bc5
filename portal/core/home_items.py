"""What each app's ``home_items(user, limit)`` returns for the home page (``portal.site.home``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class HomeItem:
    title: str
    url: str
    meta: str = ""
    summary: str = ""
