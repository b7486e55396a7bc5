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


def hanging_pdf(pages: int = 50, operators: int = 350_000) -> bytes:
    """A valid PDF of about 10 KB whose text extraction keeps pypdf busy for minutes.

    Every one of its pages shows the same Flate-compressed content stream: 350,000
    ``(a) Tj 1 0 Td`` text operators, about 5 MB once inflated, squeezed to a few
    kilobytes.  Nothing in it is malformed and each stream stays under pypdf's own
    limit (2,000,000 tokens a stream, pypdf 7.1), so no size, type or parser
    check refuses it; pypdf reads and places every operator again on every page
    (200,000 operators take about 5 s of CPU here), so reading the whole file
    would hold a worker for several minutes.
    """
    import zlib

    stream = zlib.compress(b"BT /F1 9 Tf 1 0 0 1 72 720 Tm\n" + b"(a) Tj 1 0 Td\n" * operators + b"ET\n", 9)
    first_page = 5
    page_refs = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (page_refs, pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"] * pages,
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)
