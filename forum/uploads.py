"""Checks on files attached to forum posts: the same content checks as the template library.

The issue asks for attachments to pass "the same content checks as the
template library", so the forum reuses ``portal.core.uploads.validate_upload``
(type by content, not by name; macros, executables, web pages and zip bombs
refused) rather than keeping a second validator that could drift from it.
Only the size limit is the forum's own (``FORUM_MAX_ATTACHMENT_BYTES``).
"""
from __future__ import annotations

from django.conf import settings

from portal.core.uploads import FileKind, validate_upload


def max_upload_bytes() -> int:
    return getattr(settings, "FORUM_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


def check_upload(upload) -> FileKind:
    """Return what the file is, or raise ValidationError with a message the member can act on."""
    kind = validate_upload(upload, max_size=max_upload_bytes())
    upload.seek(0)
    return kind
