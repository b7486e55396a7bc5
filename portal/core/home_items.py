"""What the home page (and the newsletter's composer) shows: the newest things from each part of the portal.

Each app answers with its own ``home_items(user, limit, request=None)`` function in its ``home`` module,
returning ``HomeItem``s (``request``, when there is one, lets page links share one look-up of the site's root paths); an app that has nothing yet, or nothing this visitor may see, returns an
empty list and the home page says so in plain words.  Which modules are asked, and in what order,
is configuration (``settings.PORTAL_HOME_SECTIONS``), so the foundation names no app.  A visitor who
is not a member is told, in general terms, that members see more: "No questions have been asked
yet" would be untrue when members' questions exist, and naming what exists would tell them what
they may not see.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings

from portal.core.permissions import is_member


@dataclass
class HomeItem:
    title: str
    url: str
    meta: str = ""
    summary: str = ""


@dataclass
class HomeSection:
    key: str
    title: str
    more_url: str
    empty_text: str
    more_label: str
    items: list[HomeItem] = field(default_factory=list)
    members_note: str = ""  # for viewers who are not members: what members see here, said in general terms


def home_sections(user, limit: int = 4, request=None) -> list[HomeSection]:
    sections = []
    member = is_member(user)
    for key, title, url, module_name, empty_text, more_label, members_note in settings.PORTAL_HOME_SECTIONS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            items: list[HomeItem] = []
        else:
            items = list(module.home_items(user, limit, request=request))
        sections.append(HomeSection(key, title, url, empty_text, more_label, items, "" if member else members_note))
    return sections
