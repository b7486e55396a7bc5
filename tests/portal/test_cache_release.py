"""Cached pages and fragments are keyed by the templates that drew them, and page keys stay short."""
from __future__ import annotations

import pytest
from django.test import RequestFactory

from portal.core import fragments
from portal.core.page_cache import _key


@pytest.fixture
def templates_in(tmp_path, monkeypatch):
    """A code root of one app with one template; ``release()`` recomputed from it."""
    template = tmp_path / "portal" / "templates" / "portal" / "card.html"
    template.parent.mkdir(parents=True)
    template.write_text("<p>{{ name }}</p>")
    monkeypatch.setattr(fragments, "_CODE_ROOT", tmp_path)
    fragments.release.cache_clear()
    yield template
    fragments.release.cache_clear()


def test_release_changes_when_a_template_changes(templates_in):
    before = fragments.release()
    templates_in.write_text("<p class='card'>{{ name }}</p>")
    fragments.release.cache_clear()
    assert fragments.release() != before


def test_release_is_the_same_for_the_same_templates(templates_in):
    before = fragments.release()
    fragments.release.cache_clear()
    assert fragments.release() == before


def test_a_fragment_drawn_by_other_templates_is_drawn_again(templates_in):
    family = fragments.family("test-release")
    fragments.cached_html(family, ["part"], lambda: "<p>old</p>")
    templates_in.write_text("<p class='card'>{{ name }}</p>")  # a deploy changes a template
    fragments.release.cache_clear()  # a new worker process computes the release afresh
    assert fragments.cached_html(family, ["part"], lambda: "<p>new</p>") == "<p>new</p>"


def test_page_cache_key_stays_short_for_a_long_query_string():
    request = RequestFactory().get("/guidance/", {"q": "dermatology " * 200})
    assert len(_key(request)) < 250


def test_page_cache_keys_differ_by_query_string():
    factory = RequestFactory()
    assert _key(factory.get("/events/", {"page": "1"})) != _key(factory.get("/events/", {"page": "2"}))
