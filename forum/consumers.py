"""Websocket transport for thread and board pages. Only moves messages.

The ASGI stack has already checked the Origin header, the session and that
the user is an approved member.  Here a socket joins a thread's or board's
group only if the member may read it, and leaves it (closed as refused) as
soon as they may not: every message says who may read the thread now
(``readers``), and a change to the member's access (signing out,
deactivation, erasure, a change of roles) reaches the socket through
``portal.core.realtime.MemberSocket``.

Each thread message carries one rendering per kind of viewer; the socket
forwards the one for its viewer (``forum.queries.live_viewer_key``), so a
live reply has the same buttons as one loaded with the page.

Catching up: the page connects to ``…?after=<last event id it has shown>``.
The consumer joins the group first and then sends the stored events after
that id (at most ``CATCH_UP_LIMIT``); a consumer handles one message at a
time, so live events queued meanwhile are delivered next, and any the
catch-up already sent are skipped.  Within one thread (or board) event ids
increase in commit order (the services write them under a row lock), so a
client sees every event once, in order.  A catch-up asked for on an open
socket starts from what the socket already has, and each socket may ask
only a few times a minute (``CatchUpAllowance``): re-reading and re-rendering
hundreds of events for a 40-byte frame must not be free.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from forum import queries
from portal.core.realtime import MemberSocket

#: Events sent by one catch-up at most (the page says to reload when it missed more).
CATCH_UP_LIMIT = 200


class CatchUpAllowance:
    """A socket's catch-up requests: a burst of ``burst``, then one every ``interval`` seconds.

    Requests beyond it are ignored.  The connect's own catch-up is not counted.
    """

    burst = 3
    interval = 20.0

    def __init__(self) -> None:
        self.tokens = float(self.burst)
        self.checked = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.checked) / self.interval)
        self.checked = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _ForumConsumer(MemberSocket):
    last_sent: int = 0
    may_moderate: bool = False

    async def join(self, group_name: str) -> None:
        self.allowance = CatchUpAllowance()
        self.catching_up = False
        await self.join_groups(group_name)
        await self.accept()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        after = (query.get("after") or [""])[0]
        if after.isdigit():
            await self.catch_up(int(after))

    async def receive_json(self, content, **kwargs):
        # {"type": "catch_up", "after": N} asks again on an open socket: from what it already has, when allowed.
        if not (isinstance(content, dict) and content.get("type") == "catch_up" and str(content.get("after", "")).isdigit()):
            return
        if self.catching_up or self.refused or not self.allowance.take():
            return
        await self.catch_up(max(int(content["after"]), self.last_sent))

    async def catch_up(self, after: int) -> None:
        self.catching_up = True
        try:
            payloads = await self.events_after(after)
            if payloads is None:  # no longer allowed to read it
                await self.refuse()
                return
            for payload in payloads:
                await self.forum_event(payload)
            await self.send_json({"type": "forum.caught_up", "event": self.last_sent, "complete": len(payloads) < CATCH_UP_LIMIT})
        finally:
            self.catching_up = False

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

        Live events arrive encoded once by the sender, one text per kind of
        viewer, and are written as they are; catch-up payloads are encoded here.
        """
        if self.refused:
            return
        if event.get("readers") == queries.READ_BY_MODERATORS and not self.may_moderate:
            await self.refuse()  # the thread was hidden or moved where this member may not follow
            return
        event_id = event.get("event") or 0
        if event_id:
            if event_id <= self.last_sent:
                return  # already sent by the catch-up
            self.last_sent = event_id
        if "texts" in event:
            await self.send(text_data=event["texts"][queries.live_viewer_key(self.viewer, event["texts"])])
        elif "text" in event:
            await self.send(text_data=event["text"])
        else:
            await self.send_json(event)


class ThreadConsumer(_ForumConsumer):
    async def connect(self):
        self.thread_id = self.scope["url_route"]["kwargs"]["thread_id"]
        viewer = await database_sync_to_async(queries.live_viewer)(self.scope["user"].pk, self.thread_id)
        if viewer is None:
            await self.refuse()
            return
        self.viewer, self.may_moderate = viewer, viewer.may_moderate
        await self.join(queries.thread_group(self.thread_id))

    async def still_allowed(self) -> bool:
        viewer = await database_sync_to_async(queries.live_viewer)(self.scope["user"].pk, self.thread_id)
        if viewer is not None:
            self.viewer, self.may_moderate = viewer, viewer.may_moderate
        return viewer is not None

    async def events_after(self, after: int) -> list[dict] | None:
        return await database_sync_to_async(queries.thread_events_after)(self.scope["user"].pk, self.thread_id, after, limit=CATCH_UP_LIMIT)


class BoardConsumer(_ForumConsumer):
    async def connect(self):
        board = await database_sync_to_async(queries.readable_board)(self.scope["user"], self.scope["url_route"]["kwargs"]["slug"])
        if board is None:
            await self.refuse()
            return
        self.board_id = board.pk
        self.may_moderate = await database_sync_to_async(queries.may_moderate_now)(self.scope["user"].pk)
        await self.join(queries.board_group(board.pk))

    async def still_allowed(self) -> bool:
        payloads = await self.events_after(self.last_sent, limit=0)
        self.may_moderate = await database_sync_to_async(queries.may_moderate_now)(self.scope["user"].pk)
        return payloads is not None

    async def events_after(self, after: int, *, limit: int = CATCH_UP_LIMIT) -> list[dict] | None:
        return await database_sync_to_async(queries.board_events_after)(self.scope["user"].pk, self.board_id, after, limit=limit)
