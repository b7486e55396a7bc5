"""Websocket transport for thread and board pages. Only moves messages.

The ASGI stack has already checked the Origin header, the session and that
the user is an approved member.  Here a socket joins a thread's or board's
group only if the member may read it.

Catching up: the page connects to ``…?after=<last event id it has shown>``.
The consumer joins the group first and then sends every stored event after
that id; a consumer handles one message at a time, so live events queued
meanwhile are delivered next, and any the catch-up already sent are skipped.
Within one thread (or board) event ids increase in commit order (the
services write them under a row lock), so a client sees every event once,
in order.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from forum import queries

REFUSED = 4403


class _ForumConsumer(AsyncJsonWebsocketConsumer):
    group_name: str | None = None
    last_sent: int = 0

    async def join(self, group_name: str) -> None:
        self.group_name = group_name
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        after = (query.get("after") or [""])[0]
        if after.isdigit():
            await self.catch_up(int(after))

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # {"type": "catch_up", "after": N} asks again on an open socket.
        if isinstance(content, dict) and content.get("type") == "catch_up" and str(content.get("after", "")).isdigit():
            await self.catch_up(int(content["after"]))

    async def catch_up(self, after: int) -> None:
        for payload in await self.events_after(after):
            await self.forum_event(payload)
        await self.send_json({"type": "forum.caught_up", "event": self.last_sent})

    async def dispatch(self, message):
        """Live events go straight to ``forum_event``; everything else through Channels.

        Channels runs ``close_old_connections`` in a worker thread before every
        message it dispatches.  A reply on a thread open on 1,000 pages would pay
        that thread hop 1,000 times for a handler that never touches the
        database; the handlers that do read it go through
        ``database_sync_to_async``, which closes old connections itself.
        """
        if message.get("type") == "forum.event":
            await self.forum_event(message)
        else:
            await super().dispatch(message)

    async def forum_event(self, event):
        """A change on this thread or board (message type ``forum.event``).

        Live events arrive encoded once by the sender (``portal.core.realtime.encoded_once``)
        and are written as they are; catch-up payloads are encoded here.
        """
        event_id = event.get("event") or 0
        if event_id:
            if event_id <= self.last_sent:
                return  # already sent by the catch-up
            self.last_sent = event_id
        if "text" in event:
            await self.send(text_data=event["text"])
        else:
            await self.send_json(event)


class ThreadConsumer(_ForumConsumer):
    async def connect(self):
        thread = await database_sync_to_async(queries.readable_thread)(self.scope["user"], self.scope["url_route"]["kwargs"]["thread_id"])
        if thread is None:
            await self.close(code=REFUSED)
            return
        self.thread_id = thread.pk
        await self.join(queries.thread_group(thread.pk))

    async def events_after(self, after: int) -> list[dict]:
        return await database_sync_to_async(queries.thread_events_after)(self.scope["user"], self.thread_id, after)


class BoardConsumer(_ForumConsumer):
    async def connect(self):
        board = await database_sync_to_async(queries.readable_board)(self.scope["user"], self.scope["url_route"]["kwargs"]["slug"])
        if board is None:
            await self.close(code=REFUSED)
            return
        self.board_id = board.pk
        await self.join(queries.board_group(board.pk))

    async def events_after(self, after: int) -> list[dict]:
        return await database_sync_to_async(queries.board_events_after)(self.scope["user"], self.board_id, after)
