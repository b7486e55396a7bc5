"""Members write Markdown; pages show it as HTML that cannot run anything.

Markdown is rendered first and the result is cleaned by nh3 (the Rust
``ammonia`` sanitiser) against an allow-list, so raw HTML typed into a post
survives only as far as the allow-list permits: no script, style, event
handler attribute, ``javascript:`` or ``data:`` URL.  Links get
``rel="nofollow noopener"`` so posts give no search ranking and no
``window.opener`` to the pages they link to.
"""
from __future__ import annotations

import html as html_lib

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope"},
    "td": set(),
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str) -> str:
    """The safe HTML for a post written in Markdown."""
    html = markdown.markdown(source or "", extensions=["tables", "sane_lists"], output_format="html")
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


def plain_excerpt(source: str, length: int = 200) -> str:
    """Text with no markup, for search results, e-mail and the home page."""
    text = nh3.clean(render_markdown(source), tags=set())
    text = " ".join(html_lib.unescape(text).split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"
