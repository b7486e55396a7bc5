"""The directory's refusals.  Every one carries a ``user_message`` in plain words."""
from __future__ import annotations


class DirectoryError(Exception):
    """A directory operation was refused; ``user_message`` says why in plain words."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class InvitationInvalid(DirectoryError):
    pass


class AlreadyDecided(DirectoryError):
    pass


class PhotoRejected(DirectoryError):
    """The uploaded photo is not an image, too big, or a decompression bomb."""


class ImportRejected(DirectoryError):
    """A CSV import found problems; nothing was imported.  ``errors`` lists them by row."""

    def __init__(self, user_message: str, errors: list[str]) -> None:
        super().__init__(user_message)
        self.errors = errors
