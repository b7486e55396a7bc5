"""Sending to websockets from synchronous code, always after the transaction commits."""
from __future__ import annotations

import json

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.middleware import BaseMiddleware
from django.db import transaction

from portal.core.permissions import is_member


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def broadcast_on_commit(group: str, message: dict) -> None:
    """Send ``message`` to ``group`` once the surrounding transaction has committed.

    Persist first, announce after: a message for a row that was rolled back
    is never sent.  A channel layer that is down must not undo the write, so
    failures to send are logged and swallowed (clients catch up on reconnect).
    """

    def send() -> None:
        import logging

        try:
            async_to_sync(get_channel_layer().group_send)(group, message)
        except Exception:  # the write is safe; live delivery is best effort
            logging.getLogger(__name__).warning("Could not broadcast to %s", group, exc_info=True)

    transaction.on_commit(send)


def encoded_once(message: dict) -> dict:
    """A channel-layer message that carries ``message`` already encoded as JSON text.

    A thread open on a thousand pages would otherwise be encoded to JSON once
    per socket (and its HTML packed field by field for Redis): encoding once
    at the sender leaves each consumer a string to write.  ``type`` routes the
    message to the consumer's handler and ``event`` lets it skip duplicates.
    """
    return {"type": message["type"], "event": message.get("event") or 0, "text": json.dumps(message)}


def notify_user(user_id: int, payload: dict) -> None:
    broadcast_on_commit(user_group(user_id), {"type": "notification", "payload": payload})


class MembersOnlyMiddleware(BaseMiddleware):
    """Refuse a websocket from anyone who is not an approved, active member."""

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        allowed = user is not None and await database_sync_to_async(is_member)(user)
        if not allowed:
            await receive()  # the websocket.connect message
            await send({"type": "websocket.close", "code": 4403})
            return None
        return await super().__call__(scope, receive, send)
