"""Finding the site's pages without importing the roof."""
from __future__ import annotations

from wagtail.models import Page


def home_page() -> Page | None:
    """The home page (a ``portal.site.models.HomePage``), where apps add their section pages; None before it exists.

    Found by its content type, so an app's demo can add its section without importing the roof.
    """
    page = Page.objects.filter(content_type__app_label="portal", content_type__model="homepage").first()
    return page.specific if page is not None else None
