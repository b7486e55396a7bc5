"""The one place the portal's absolute addresses come from: ``settings.PORTAL_BASE_URL``.

E-mails, calendar files, feeds and the newsletter are read away from the
portal, so every link in them must carry the address people reach the portal
at.  Wagtail builds its own full addresses (``Page.full_url``, the admin's
"view live") from its ``Site`` record instead; ``sync_site`` keeps that record
in step with ``PORTAL_BASE_URL`` after every ``migrate`` (and so on every
``manage.py start``), and nothing in the portal reads ``Page.full_url``:
pages go through ``page_url`` here, so one setting decides every link.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def base_url() -> str:
    """``PORTAL_BASE_URL`` without a trailing slash, for e-mail templates that add a path to it."""
    return settings.PORTAL_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """The full address of a path on the portal ("/events/course/" -> "https://portal.example.nhs.uk/events/course/").

    A full address on another host (Wagtail answers one when several sites
    exist) keeps only its path, query and fragment: the portal has one address.
    """
    parts = urlsplit(path or "/")
    path = parts.path or "/"
    if not path.startswith("/"):
        raise ValueError(f"absolute_url needs a path starting with '/', not {path!r}")
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{base_url()}{path}{query}{fragment}"


def page_url(page) -> str:
    """The full address of a Wagtail page on the portal (never from the ``Site`` record's host and port)."""
    parts = page.get_url_parts()
    if parts is None:
        raise ValueError(f"{page!r} is not routable: it has no address")
    return absolute_url(parts[2])


def site_host_and_port() -> tuple[str, int]:
    """The host name and port Wagtail's ``Site`` record should hold for ``PORTAL_BASE_URL``."""
    parts = urlsplit(base_url())
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "localhost", port


def sync_site(**_signal_kwargs) -> None:
    """Give the default Wagtail ``Site`` the host name and port of ``PORTAL_BASE_URL`` (connected to post_migrate)."""
    from wagtail.models import Site

    hostname, port = site_host_and_port()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return
    if Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists():
        return  # another site already answers there: an administrator's choice, left alone
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
