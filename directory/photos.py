"""Profile photos: checked, shrunk and re-encoded before anything is stored.

An upload is never stored as sent.  It is opened with Pillow only after its
size is checked, its pixel count is checked from the header before any pixel
is decoded (so a decompression bomb is refused without being expanded), and
the picture is re-encoded as a fresh JPEG, which drops EXIF (GPS positions,
camera serial numbers) and any other metadata or trailing payload.
"""
from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from directory.errors import PhotoRejected

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def max_photo_bytes() -> int:
    return getattr(settings, "DIRECTORY_PHOTO_MAX_BYTES", 5 * 1024 * 1024)


def max_photo_pixels() -> int:
    return getattr(settings, "DIRECTORY_PHOTO_MAX_PIXELS", 25_000_000)


PHOTO_BOX = (600, 600)


def clean_photo(upload) -> ContentFile:
    """Return a safe JPEG of ``upload``, or raise ``PhotoRejected`` saying why."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_photo_bytes():
        raise PhotoRejected(f"The photo must be smaller than {max_photo_bytes() // (1024 * 1024)} MB.")
    upload.seek(0)
    data = upload.read(max_photo_bytes() + 1)
    if len(data) > max_photo_bytes():
        raise PhotoRejected(f"The photo must be smaller than {max_photo_bytes() // (1024 * 1024)} MB.")
    not_an_image = PhotoRejected("The file is not a photo we can read. Upload a JPEG, PNG, GIF or WebP image.")
    try:
        with warnings.catch_warnings():
            # Pillow warns (rather than fails) between 1x and 2x its own limit; treat that as a bomb too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise not_an_image
                width, height = probe.size
                if width * height > max_photo_pixels():
                    raise PhotoRejected(
                        f"The photo is too large ({width} × {height} pixels). Use one under "
                        f"{max_photo_pixels() // 1_000_000} million pixels."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGB")
                image.thumbnail(PHOTO_BOX)
                out = io.BytesIO()
                # A new image object carries no info dict, so nothing but pixels is written.
                clean = Image.new("RGB", image.size)
                clean.paste(image)
                clean.save(out, format="JPEG", quality=85, optimize=True)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected("The photo has too many pixels to process safely. Use a smaller picture.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    return ContentFile(out.getvalue(), name="photo.jpg")
