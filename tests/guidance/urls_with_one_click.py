"""portal.site.urls plus the one-click unsubscribe endpoint, as the lead will wire it."""
from django.urls import include, path

from portal.site.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("mail/", include("portal.guidance.urls"))] + portal_urlpatterns
