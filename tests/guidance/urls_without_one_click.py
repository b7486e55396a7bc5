"""The site's URLs without the one-click unsubscribe endpoint (portal/urls.py's "mail/")."""
from portal.urls import urlpatterns as site_urlpatterns

urlpatterns = [pattern for pattern in site_urlpatterns if str(getattr(pattern, "pattern", "")) != "mail/"]
