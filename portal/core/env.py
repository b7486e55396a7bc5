"""Read settings from the environment, failing loudly with the variable's name.

Every value the portal takes from the environment goes through one of these
readers, so a typo in production stops start-up with a message that says
which variable is wrong and what a good value looks like, instead of a
stack trace from deep inside a database driver.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class BadEnvironmentVariable(ImproperlyConfigured):
    """An environment variable is set but cannot be used."""

    def __init__(self, name: str, problem: str, example: str = "") -> None:
        self.variable = name
        message = f"Environment variable {name} {problem}."
        if example:
            message += f" Example: {name}={example}"
        super().__init__(message)


def get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def get_bool(name: str, default: bool) -> bool:
    value = get(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise BadEnvironmentVariable(name, f"must be true or false, not {value!r}", "false")


def get_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadEnvironmentVariable(name, f"must be a whole number, not {value!r}", str(default)) from None
    if number < minimum:
        raise BadEnvironmentVariable(name, f"must be at least {minimum}, not {number}", str(default))
    return number


def get_list(name: str, default: list[str]) -> list[str]:
    value = get(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise BadEnvironmentVariable(name, "is set but empty", "portal.example.nhs.uk")
    return items


def get_int_list(name: str, default: list[int]) -> list[int]:
    """Comma-separated whole numbers, e.g. ``10,60,300``; an empty value gives an empty list."""
    value = get(name)
    if value is None:
        return default
    try:
        numbers = [int(item) for item in value.split(",") if item.strip()]
    except ValueError:
        raise BadEnvironmentVariable(name, f"must be whole numbers separated by commas, not {value!r}", "10,60,300") from None
    if any(number < 0 for number in numbers):
        raise BadEnvironmentVariable(name, "must not be negative", "10,60,300")
    return numbers


def get_url(name: str, schemes: set[str], example: str) -> str | None:
    """Return a URL whose scheme is one of ``schemes`` and that has a host, or None when unset."""
    value = get(name)
    if value is None or value == "":
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise BadEnvironmentVariable(name, f"is not a valid URL ({value!r})", example) from None
    if parts.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise BadEnvironmentVariable(
            name, f"must start with one of {allowed} (got {parts.scheme or 'no scheme'!r})", example
        )
    if parts.scheme not in {"sqlite", "console", "file", "locmem"} and not parts.hostname:
        raise BadEnvironmentVariable(name, f"has no host name ({value!r})", example)
    return value


def database_config(name: str = "DATABASE_URL") -> dict | None:
    import dj_database_url

    url = get_url(
        name,
        {"postgres", "postgresql", "pgsql", "postgis", "sqlite"},
        "postgres://portal:secret@127.0.0.1:5432/portal",
    )
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme != "sqlite" and not parts.path.strip("/"):
        raise BadEnvironmentVariable(name, "has no database name", "postgres://portal@127.0.0.1:5432/portal")
    try:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise BadEnvironmentVariable(name, f"could not be read: {error}", "postgres://portal@127.0.0.1:5432/portal") from None


def redis_url(name: str = "REDIS_URL") -> str | None:
    url = get_url(name, {"redis", "rediss", "unix"}, "redis://127.0.0.1:6379/0")
    if url is None:
        return None
    path = urlsplit(url).path.strip("/")
    if path and not path.isdigit():
        raise BadEnvironmentVariable(name, f"database number must be a number, not {path!r}", "redis://127.0.0.1:6379/0")
    return url


def email_config(name: str = "EMAIL_URL") -> dict:
    """Django e-mail settings from a URL: smtp://, smtp+tls://, smtp+ssl://, console://, file:///path, locmem://."""
    example = "smtp+tls://user:password@smtp.example.nhs.uk:587"
    url = get_url(name, {"smtp", "smtp+tls", "smtp+ssl", "console", "file", "locmem"}, example)
    if url is None:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme == "file":
        if not parts.path:
            raise BadEnvironmentVariable(name, "needs a folder path after file://", "file:///var/tmp/portal-mail")
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": parts.path}
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtp+ssl" else 587 if parts.scheme == "smtp+tls" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }


def local_secret_key(folder: Path) -> str:
    """The embedded mode's key: made once and kept outside the repository."""
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
