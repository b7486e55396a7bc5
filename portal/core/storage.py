"""Static files in production: hashed names and gzip/Brotli copies (ServeStatic), served with far-future caching."""
from __future__ import annotations

from servestatic.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """ServeStatic's storage, tolerant of source maps that a package names but does not ship.

    The NHS.UK frontend CSS in ``wagtail-nhsuk-frontend`` ends with a
    ``sourceMappingURL`` comment for a ``.map`` file the package leaves out;
    browsers only fetch it with developer tools open, so the reference is kept
    as it is instead of stopping ``collectstatic``.  Any other missing file
    still stops it.
    """

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if name.strip().endswith(".map"):
                return name
            raise
