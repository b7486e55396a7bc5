"""Checking an uploaded document by what it contains, not what it is called.

``validate_upload(file)`` is the one check every upload in the portal goes
through (the re-design library, entry attachments, Wagtail's own document form
and the forum's attachments).  It reads the file's first bytes and, for Office
and OpenDocument files, the zip structure inside, and either returns what the
file is or raises ``django.core.exceptions.ValidationError`` whose message
tells the member what to do instead.

Allowed: PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT) and plain
text.  Refused: macro-enabled Office files (a ``vbaProject.bin`` part or a
macro-enabled content type), OpenDocument files with Basic macros or scripts,
older binary Office files (which may carry macros and cannot be checked),
executables and scripts, other archives, anything larger than the size limit,
and zip files that would expand to far more than they weigh (zip bombs).
"""
from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# Limits, overridable in settings by the deployment (read with defaults here).
DEFAULT_MAX_SIZE = 20 * 1024 * 1024  # bytes on disk
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # total bytes inside an Office/OpenDocument zip
MAX_RATIO = 100  # uncompressed / compressed, for the whole archive and for any single part
MAX_ZIP_MEMBERS = 5000


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("pdf", "PDF", "application/pdf", (".pdf",))
DOCX = FileKind("docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("xlsx", "Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = FileKind("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
TXT = FileKind("txt", "plain text file", "text/plain", (".txt",))

ALLOWED_KINDS: tuple[FileKind, ...] = (PDF, DOCX, XLSX, ODT, TXT)
ALLOWED_TEXT = "PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt) or plain text (.txt)"

MACRO_EXTENSIONS = {".docm", ".dotm", ".xlsm", ".xltm", ".xlsb", ".xlam", ".pptm", ".potm", ".ppam", ".ppsm", ".sldm"}
MACRO_CONTENT_TYPE_MARKERS = (b"macroenabled", b"vbaproject", b"ms-office.vbaproject", b"ms-excel.sheet.binary")
EXECUTABLE_MAGIC = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HTML_MARKERS = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")

MACRO_MESSAGE = (
    "This file contains macros, which the portal does not accept because they can run harmful code. "
    "Save it without macros (as .docx or .xlsx) and upload it again."
)


def _refuse(message: str, code: str) -> None:
    raise ValidationError(message, code=code)


def max_upload_size() -> int:
    return int(getattr(settings, "REDESIGN_MAX_UPLOAD_SIZE", DEFAULT_MAX_SIZE))


def _read_all(file) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if hasattr(file, "seek"):
        file.seek(0)
    return data


def _check_zip(data: bytes) -> FileKind:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        _refuse("This file looks like an Office document but is damaged. Open it, save it again and upload the new copy.", "damaged")
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        _refuse("This file has too many parts inside it to be checked safely.", "zip_bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
            _refuse("This file expands to far more than its size (it may be a 'zip bomb'), so it was refused.", "zip_bomb")
    if total > MAX_UNCOMPRESSED or (len(data) and total / len(data) > MAX_RATIO and total > 1024 * 1024):
        _refuse("This file expands to far more than its size (it may be a 'zip bomb'), so it was refused.", "zip_bomb")
    names = {info.filename for info in infos}
    lower = {name.lower() for name in names}
    if any(name.endswith("vbaproject.bin") or name.endswith("vbadata.xml") for name in lower):
        _refuse(MACRO_MESSAGE, "macro")

    if "[Content_Types].xml" in names:
        content_types = archive.read("[Content_Types].xml").lower()
        if any(marker in content_types for marker in MACRO_CONTENT_TYPE_MARKERS):
            _refuse(MACRO_MESSAGE, "macro")
        if b"wordprocessingml.document.main+xml" in content_types and "word/document.xml" in names:
            return DOCX
        if b"spreadsheetml.sheet.main+xml" in content_types and "xl/workbook.xml" in names:
            return XLSX
        _refuse(f"This kind of Office file is not accepted. Upload a {ALLOWED_TEXT}.", "type")

    if "mimetype" in names:
        mimetype = archive.read("mimetype").strip()
        if any(name.startswith(("basic/", "scripts/")) for name in lower):
            _refuse(MACRO_MESSAGE.replace("(as .docx or .xlsx)", "(as .odt)"), "macro")
        if mimetype == ODT.content_type.encode() and "content.xml" in names:
            return ODT
        _refuse(f"This kind of OpenDocument file is not accepted. Upload a {ALLOWED_TEXT}.", "type")

    _refuse(f"Zip archives are not accepted. Upload a {ALLOWED_TEXT}.", "archive")
    raise AssertionError("unreachable")


def detect_kind(data: bytes) -> FileKind:
    """What ``data`` is, by content; raises ValidationError for anything not allowed."""
    head = data[:8]
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data)
    if data.startswith(b"PK"):
        _refuse(f"Zip archives are not accepted. Upload a {ALLOWED_TEXT}.", "archive")
    if head.startswith(OLE2_MAGIC):
        _refuse(
            "Older Office files (.doc, .xls) can carry macros and cannot be checked. "
            "Save it as .docx or .xlsx (or PDF) and upload it again.",
            "legacy_office",
        )
    for magic, what in EXECUTABLE_MAGIC:
        if data.startswith(magic):
            _refuse(f"This file is {what}. Programs and scripts cannot be uploaded.", "executable")
    if b"\x00" in data[:65536]:
        _refuse(f"This kind of file is not accepted. Upload a {ALLOWED_TEXT}.", "type")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            _refuse(f"This kind of file is not accepted. Upload a {ALLOWED_TEXT}.", "type")
    start = text.lstrip()[:200].lower().encode()
    if any(start.startswith(marker) for marker in HTML_MARKERS):
        _refuse("Web pages and XML files cannot be uploaded. Save it as PDF or plain text and upload it again.", "type")
    return TXT


def validate_upload(file, *, max_size: int | None = None, allowed: tuple[FileKind, ...] = ALLOWED_KINDS) -> FileKind:
    """Check an uploaded file (a Django ``File``/``UploadedFile``) and return what it is.

    Raises ``ValidationError`` with a plain-English message when the file is
    too big, not one of ``allowed``, macro-enabled, executable, a zip bomb, or
    named as a different type from what it contains.
    """
    limit = max_size or max_upload_size()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        _refuse(f"This file is {filesizeformat(size)}. Files must be {filesizeformat(limit)} or smaller.", "too_big")
    name = os.path.basename(getattr(file, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension in MACRO_EXTENSIONS:
        _refuse(MACRO_MESSAGE, "macro")
    data = _read_all(file)
    if len(data) > limit:
        _refuse(f"This file is {filesizeformat(len(data))}. Files must be {filesizeformat(limit)} or smaller.", "too_big")
    if not data:
        _refuse("This file is empty.", "empty")
    kind = detect_kind(data)
    if kind not in allowed:
        labels = ", ".join(k.label for k in allowed)
        _refuse(f"A {kind.label} is not accepted here. Upload one of: {labels}.", "type")
    if extension and extension not in kind.extensions:
        _refuse(
            f"This file is a {kind.label} but its name ends in {extension}. "
            f"Rename it to end in {kind.extensions[0]} and upload it again.",
            "extension_mismatch",
        )
    return kind
