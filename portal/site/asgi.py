"""One ASGI application for HTTP and websockets.

Websockets pass three checks before any consumer runs: the Origin header
must be the portal's own (scheme, host and port; the host one of
ALLOWED_HOSTS), the session must belong to a signed-in user, and that user
must be an approved member.  Consumers are told again when the member's
access ends or changes (``portal.realtime.MemberSocket``).
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal.core.handler import get_asgi_application  # noqa: E402 - Django's, with one thread hop a request

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from portal.core.realtime import MembersOnlyMiddleware, SameOriginValidator  # noqa: E402
from portal.site.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SameOriginValidator(AuthMiddlewareStack(MembersOnlyMiddleware(URLRouter(websocket_urlpatterns))))
        ),
    }
)
