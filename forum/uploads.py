"""Checks on files attached to forum posts, before anything is stored.

The template library (redesign) had no shared validator when the forum was
written, so the forum keeps its own: an allow-list of extensions, each with
the bytes its files must start with (the name alone proves nothing), a size
limit, and a refusal of Office files carrying macros.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)


@dataclass(frozen=True)
class Kind:
    content_type: str
    magic: tuple[bytes, ...] | None  # None: text, checked by decoding


KINDS: dict[str, Kind] = {
    "pdf": Kind("application/pdf", (b"%PDF-",)),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "odt": Kind("application/vnd.oasis.opendocument.text", ZIP),
    "doc": Kind("application/msword", OLE),
    "xls": Kind("application/vnd.ms-excel", OLE),
    "png": Kind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": Kind("text/plain", None),
    "csv": Kind("text/csv", None),
}


def max_upload_bytes() -> int:
    return getattr(settings, "FORUM_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


def check_upload(upload) -> Kind:
    """Return the file's kind, or raise ValidationError with a message the member can act on."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = KINDS.get(ext)
    allowed = ", ".join(sorted(k.upper() for k in KINDS))
    if kind is None:
        raise ValidationError(f"The file must be one of these types: {allowed}.")
    if upload.size > max_upload_bytes():
        raise ValidationError(f"The file must be smaller than {max_upload_bytes() // (1024 * 1024)} MB.")
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if kind.magic is None:
        try:
            upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(f"The file is not a text file, so it cannot be attached as .{ext}.") from None
        finally:
            upload.seek(0)
        if b"\x00" in head:
            raise ValidationError(f"The file is not a text file, so it cannot be attached as .{ext}.")
    elif not head.startswith(kind.magic):
        raise ValidationError(f"The file's contents do not match its name (.{ext}). Save it again in that format and retry.")
    if kind.magic == ZIP:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            raise ValidationError(f"The file is damaged: it cannot be opened as .{ext}.") from None
        finally:
            upload.seek(0)
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise ValidationError("Files containing macros cannot be attached. Save it without macros and retry.")
    return kind
