"""Uploads are checked by content: allowed types pass, each refused type gets a clear message."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from portal.core.uploads import validate_upload
from tests.redesign.conftest import PDF_BYTES, docx_bytes, odt_bytes, upload, xlsx_bytes


@pytest.mark.parametrize(
    "name,data,key",
    [
        ("plan.pdf", PDF_BYTES, "pdf"),
        ("case.docx", docx_bytes(), "docx"),
        ("savings.xlsx", xlsx_bytes(), "xlsx"),
        ("spec.odt", odt_bytes(), "odt"),
        ("notes.txt", "Freed-up resources: £70,000".encode(), "txt"),
    ],
)
def test_allowed_types_pass(name, data, key):
    assert validate_upload(upload(name, data)).key == key


def _refusal(name, data, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload(name, data), **kwargs)
    return refused.value


def test_docx_with_vba_project_is_refused_as_macro():
    error = _refusal("case.docx", docx_bytes(macro=True))
    assert error.code == "macro"
    assert "macros" in error.messages[0]


def test_macro_enabled_content_type_is_refused_even_named_docx():
    assert _refusal("case.docx", docx_bytes(content_type_macro=True)).code == "macro"


def test_docm_and_xlsm_names_are_refused():
    assert _refusal("case.docm", docx_bytes()).code == "macro"
    assert _refusal("sheet.xlsm", xlsx_bytes()).code == "macro"


def test_odt_with_basic_macros_is_refused():
    assert _refusal("spec.odt", odt_bytes(with_basic=True)).code == "macro"


def test_windows_executable_renamed_pdf_is_refused():
    error = _refusal("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert error.code == "executable"
    assert "Windows program" in error.messages[0]


def test_linux_executable_is_refused():
    assert _refusal("tool.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 100).code == "executable"


def test_script_is_refused():
    assert _refusal("run.txt", b"#!/bin/sh\nrm -rf /\n").code == "executable"


def test_legacy_office_file_is_refused():
    assert _refusal("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600).code == "legacy_office"


def test_plain_zip_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "hello")
    assert _refusal("bundle.zip", out.getvalue()).code == "archive"


def test_html_is_refused():
    assert _refusal("page.txt", b"<!DOCTYPE html><script>alert(1)</script>").code == "type"


def test_image_is_refused():
    assert _refusal("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").code == "type"


def test_too_big_is_refused():
    error = _refusal("big.txt", b"a" * 2048, max_size=1024)
    assert error.code == "too_big"
    assert "1.0\xa0KB or smaller" in error.messages[0]


def test_zip_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("word/document.xml", b"\x00" * (50 * 1024 * 1024))
    assert _refusal("bomb.docx", out.getvalue()).code == "zip_bomb"


def test_name_that_disagrees_with_content_is_refused():
    error = _refusal("plan.docx", PDF_BYTES)
    assert error.code == "extension_mismatch"
    assert "Rename it to end in .pdf" in error.messages[0]


def test_wagtail_document_form_uses_the_check(db, settings):
    from redesign.forms import SafeDocumentForm
    from wagtail.documents.forms import get_document_form
    from wagtail.documents.models import Document
    from wagtail.models import Collection

    settings.WAGTAILDOCS_DOCUMENT_FORM_BASE = "redesign.forms.SafeDocumentForm"
    Form = get_document_form(Document)
    assert issubclass(Form, SafeDocumentForm)
    form = Form(
        data={"title": "Macro case", "collection": Collection.get_first_root_node().pk},
        files={"file": upload("case.docx", docx_bytes(macro=True))},
    )
    assert not form.is_valid()
    assert "macros" in form.errors["file"][0]
