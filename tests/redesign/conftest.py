"""Fixtures for the re-design tests: entries made through the services, uploads as bytes."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture
def make_entry(service_areas, region):
    from redesign.models import MatrixEntry, Stage

    def factory(*, organisation=None, service_area=None, title="Community dermatology service", stage=Stage.IDEA, leads=(), **fields):
        entry = MatrixEntry.objects.create(
            organisation=organisation or region["cluster"],
            service_area=service_area or service_areas["Dermatology"],
            title=title,
            stage=stage,
            **fields,
        )
        entry.leads.set(leads)
        return entry

    return factory


def docx_bytes(text="Business case", *, macro=False, content_type_macro=False) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    if not (macro or content_type_macro):
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if content_type_macro and item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            target.writestr(item, data)
        if macro:
            target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    """A minimal workbook, built by hand so the tests need no spreadsheet library."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '</Types>'
        ))
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>')
    return out.getvalue()


def odt_bytes(*, with_basic=False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", b"<?xml version='1.0'?><office:document-content/>")
        z.writestr("META-INF/manifest.xml", b"<manifest/>")
        if with_basic:
            z.writestr("Basic/Standard/Module1.xml", b"<script/>")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, data: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
