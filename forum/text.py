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
import re

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


# Link text longer than this, or a link address that does not close within this, is shown as typed.
MAX_LINK_PART = 500
# A link address: anything but brackets, parentheses one level deep (Wikipedia addresses), escapes.
_LINK_ADDRESS = re.compile(r"\((?:[^()\\]|\\.|\([^()\\]*\)){0,%d}\)" % MAX_LINK_PART, re.DOTALL)


def bound_link_brackets(source: str) -> str:
    """``source`` with every square bracket that cannot start a plain link escaped, so it shows as typed.

    Python-Markdown looks for a link at every ``[`` by scanning forward for its ``]`` and then for the
    address's ``)``; an unclosed or deeply nested bracket scans to the end of the paragraph, so the cost
    grows with (brackets × length): 15 KB of nested brackets took 33 seconds of CPU to post.  Here, in
    one pass, only innermost ``[…]`` pairs of at most ``MAX_LINK_PART`` characters are left for
    Markdown, and a ``(`` after one only when it closes within ``MAX_LINK_PART``; the rest get a
    backslash, which Markdown shows as the bracket itself.  Every link anyone writes by hand keeps
    working; what changes is that ``[[nested]]`` shows its outer brackets as text.
    """
    if "[" not in source and "]" not in source:
        return source
    escape: set[int] = set()
    stack: list[list] = []  # [position of "[", whether a bracket pair sits inside it]
    kept_closers: list[int] = []
    i, length = 0, len(source)
    while i < length:
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            stack.append([i, False])
        elif char == "]":
            if not stack:
                escape.add(i)
            else:
                start, has_inner = stack.pop()
                if has_inner or i - start > MAX_LINK_PART:
                    escape.update((start, i))
                else:
                    kept_closers.append(i)
                if stack:
                    stack[-1][1] = True
        i += 1
    escape.update(start for start, _inner in stack)
    for closer in kept_closers:
        after = closer + 1
        if after < length and source[after] == "(" and not _LINK_ADDRESS.match(source, after):
            escape.add(after)
    if not escape:
        return source
    return "".join("\\" + char if position in escape else char for position, char in enumerate(source))


def render_markdown(source: str) -> str:
    """The safe HTML for a post written in Markdown (in time that grows with its length, see ``bound_link_brackets``)."""
    html = markdown.markdown(bound_link_brackets(source or ""), extensions=["tables", "sane_lists"], output_format="html")
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
