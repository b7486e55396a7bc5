"""Websocket transport for a member's own notifications.

Only moves messages: apps put a message on the member's group after their
transaction commits (see ``portal.core.realtime.notify_user``) and this consumer
forwards it to every open tab of that member.
"""
from __future__ import annotations

from portal.core.realtime import MemberSocket, user_group


class NotificationsConsumer(MemberSocket):
    async def connect(self):
        # MembersOnlyMiddleware has already refused anonymous and unapproved users.
        await self.join_groups(user_group(self.scope["user"].pk))
        await self.accept()

    async def notification(self, event):
        if self.refused:
            return
        await self.send_json({"type": "notification", "payload": event["payload"]})
