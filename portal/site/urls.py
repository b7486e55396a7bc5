from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve as serve_static
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.core.audit_views import audit_trail, audit_trail_csv
from portal.site.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("audit/", audit_trail, name="audit_trail"),
    path("audit/export.csv", audit_trail_csv, name="audit_trail_csv"),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("directory/", include("directory.urls")),
    path("redesign/", include("redesign.urls")),
    path("events/", include("events.urls")),
    path("forum/", include("forum.urls")),
    path("search/", include("search.urls")),
    path("areas/", include("directory.areas.urls")),
    path("mail/", include("portal.guidance.urls")),  # one-click unsubscribe (RFC 8058)
]

if not settings.PRODUCTION:
    # Public images only (renditions, profile photos); documents always go
    # through Wagtail's permission-checked serve view above.
    urlpatterns += [
        re_path(r"^media/(?P<path>(images|original_images|photos)/.*)$", serve_static, {"document_root": settings.MEDIA_ROOT}),
    ]

urlpatterns += [path("", include(wagtail_urls))]

handler500 = "portal.core.overload.server_error"  # the busy page (503) when the database is out of reach
