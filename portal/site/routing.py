"""Every websocket route in the portal. Apps add theirs to ``websocket_urlpatterns``."""
from django.urls import path

from portal.core.consumers import NotificationsConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
]

try:  # the forum adds its thread and board consumers
    from forum.routing import websocket_urlpatterns as forum_patterns
except ImportError:
    forum_patterns = []
websocket_urlpatterns += forum_patterns
