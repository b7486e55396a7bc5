"""Posts are Markdown, shown as sanitised HTML: nothing in a post can run in a reader's browser."""
import pytest

from forum.text import plain_excerpt, render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
    "<a href=\"&#106;avascript:alert(1)\">click</a>",
    "<a href=\" javascript:alert(1)\">click</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p onmouseover=\"alert(1)\">hover</p>",
    "<a href=\"http://ok.example\" onclick=\"alert(1)\">ok</a>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"http://evil.example/x.css\">",
    "<base href=\"http://evil.example/\">",
    "<details open ontoggle=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    "<scr<script>ipt>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<a href=\"http://ok.example\" style=\"position:fixed;top:0\">overlay</a>",
]


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
