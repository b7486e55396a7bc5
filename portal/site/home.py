"""What the home page shows: the newest things from each part of the portal.

Each app answers with its own ``home_items(user, limit)`` function in its
``home`` module; an app that has nothing yet, or nothing this visitor may see,
returns an empty list and the home page says so in plain words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from portal.core.home_items import HomeItem


@dataclass
class HomeSection:
    key: str
    title: str
    more_url: str
    empty_text: str
    more_label: str
    items: list[HomeItem] = field(default_factory=list)


SECTIONS = [
    ("guidance", "Latest guidance", "/guidance/", "portal.guidance.home", "No guidance has been published yet.", "All guidance"),
    ("events", "Upcoming events", "/events/", "events.home", "No events are planned at the moment.", "All events"),
    ("questions", "Recent questions", "/forum/", "forum.home", "No questions have been asked yet.", "All message boards"),
    ("case_studies", "Newest case studies", "/redesign/case-studies/", "redesign.home", "No case studies have been shared yet.", "All case studies"),
]


def home_sections(user, limit: int = 4) -> list[HomeSection]:
    sections = []
    for key, title, url, module_name, empty_text, more_label in SECTIONS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            items: list[HomeItem] = []
        else:
            items = list(module.home_items(user, limit))
        sections.append(HomeSection(key, title, url, empty_text, more_label, items))
    return sections
