"""Test files made on the fly: real PDFs (fpdf2, pypdf), DOCX (python-docx), ODT (zip + content.xml), text."""
from __future__ import annotations

import zipfile
from pathlib import Path


def pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    document = FPDF()
    for text in pages:
        document.add_page()
        document.set_font("helvetica", size=12)
        document.multi_cell(0, 8, text)
    document.output(str(path))
    return path


def encrypted_pdf(path: Path, text: str, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = pdf(path.with_name("plain-" + path.name), [text])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(password)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def image_only_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx as python_docx

    document = python_docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def odt(path: Path, paragraphs: list[str]) -> Path:
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text><text:h>Heading</text:h>{body}</office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return path
