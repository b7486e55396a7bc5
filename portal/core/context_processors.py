"""Values every page's header and footer need."""
from __future__ import annotations

from django.conf import settings

from portal.core.permissions import is_member

PRIMARY_NAVIGATION = [
    ("Directory", "/directory/"),
    ("Re-design", "/redesign/"),
    ("Events", "/events/"),
    ("Forum", "/forum/"),
    ("Guidance", "/guidance/"),
    ("Search", "/search/"),
]


def navigation(request) -> dict:
    path = request.path
    links = [
        {"label": label, "url": url, "current": path == url, "active": path.startswith(url) and path != url}
        for label, url in PRIMARY_NAVIGATION
    ]
    user = getattr(request, "user", None)
    return {
        "primary_links": links,
        "network_name": settings.PORTAL_NETWORK_NAME,
        "viewer_is_member": is_member(user) if user is not None else False,
        "viewer_can_admin": bool(user and user.is_authenticated and user.has_perm("wagtailadmin.access_admin")),
    }
