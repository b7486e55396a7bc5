"""Websocket transport for a member's own notifications.

Only moves messages: apps put a message on the member's group after their
transaction commits (see ``portal.core.realtime.notify_user``) and this consumer
forwards it to every open tab of that member.
"""
from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.core.realtime import user_group


class NotificationsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        # MembersOnlyMiddleware has already refused anonymous and unapproved users.
        self.group_name = user_group(self.scope["user"].pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def notification(self, event):
        await self.send_json({"type": "notification", "payload": event["payload"]})
