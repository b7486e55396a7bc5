"""The forum's websocket routes, added to the portal's by ``portal.site.routing``."""
from django.urls import path

from forum.consumers import BoardConsumer, ThreadConsumer

websocket_urlpatterns = [
    path("ws/forum/threads/<int:thread_id>/", ThreadConsumer.as_asgi()),
    path("ws/forum/boards/<slug:slug>/", BoardConsumer.as_asgi()),
]
