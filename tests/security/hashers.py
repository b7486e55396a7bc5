"""A password hasher for tests that counts its work, so a test can see when a request skips hashing."""
from __future__ import annotations

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast) that counts how many passwords it has hashed since ``calls`` was last reset."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)
