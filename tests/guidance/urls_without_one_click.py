"""The site's URLs without the one-click unsubscribe endpoint (portal/site/urls.py's "mail/")."""
from portal.site.urls import urlpatterns as site_urlpatterns

urlpatterns = [pattern for pattern in site_urlpatterns if str(getattr(pattern, "pattern", "")) != "mail/"]
