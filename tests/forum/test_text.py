"""Posts are Markdown, shown as sanitised HTML: nothing in a post can run in a reader's browser."""
import pytest

from forum.text import plain_excerpt, render_markdown
from tests.security.payloads import XSS_PAYLOADS  # shared with tests/security/test_hostile_input.py


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitiser_removes_anything_that_could_run(payload):
    html = render_markdown(payload).lower()
    assert "<script" not in html
    assert "<style" not in html
    assert "<iframe" not in html and "<object" not in html and "<embed" not in html and "<svg" not in html
    assert "javascript:" not in html and "vbscript:" not in html and "data:" not in html
    for attribute in ("onerror", "onload", "onclick", "onmouseover", "ontoggle", "style=", "xlink:href", "background="):
        assert attribute not in html


def test_markdown_formatting_survives():
    html = render_markdown("**Bold**, *italic*\n\n- one\n- two\n\n> quoted")
    assert "<strong>Bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<li>one</li>" in html
    assert "<blockquote>" in html


def test_links_get_nofollow_noopener():
    html = render_markdown("See [the procurement guide](https://www.dh.gov.uk/procurement).")
    assert 'href="https://www.dh.gov.uk/procurement"' in html
    assert 'rel="nofollow noopener"' in html


def test_author_supplied_rel_is_replaced():
    html = render_markdown('<a href="https://example.org" rel="opener">x</a>')
    assert 'rel="nofollow noopener"' in html
    assert 'rel="opener"' not in html


def test_plain_excerpt_has_no_markup_and_is_shortened():
    text = plain_excerpt("**Fair shares** & <b>budgets</b> " + "word " * 100, length=40)
    assert "<" not in text and "**" not in text
    assert text.startswith("Fair shares & budgets")
    assert len(text) <= 40
