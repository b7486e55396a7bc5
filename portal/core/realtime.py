"""Sending to websockets from synchronous code, always after the transaction commits.

Also what every member's socket shares: the Origin check (scheme, host and
port, ``SameOriginValidator``), tolerance of frames that are not JSON
(``MemberSocket``), and revocation.  A socket is checked when it connects and
again whenever its member's access changes: signing out closes the sockets of
that session, deactivation and erasure close all of the member's sockets, and
a change of roles makes each socket check again (``revoke_user_sockets``,
``recheck_user_sockets``, ``revoke_session_sockets``).
"""
from __future__ import annotations

import hashlib
import json
import logging
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.middleware import BaseMiddleware
from django.db import transaction

from portal.core.permissions import is_member

REFUSED = 4403

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def access_group(user_id: int) -> str:
    """Every open socket of one member, whatever it is for: told when their access ends or changes."""
    return f"access.user.{user_id}"


def session_group(session_key: str) -> str:
    """Every open socket of one signed-in session (the key hashed: group names travel through Redis)."""
    return f"access.session.{hashlib.sha256(session_key.encode()).hexdigest()[:40]}"


def broadcast_on_commit(group: str, message: dict) -> None:
    """Send ``message`` to ``group`` once the surrounding transaction has committed.

    Persist first, announce after: a message for a row that was rolled back
    is never sent.  A channel layer that is down must not undo the write, so
    failures to send are logged and swallowed (clients catch up on reconnect).
    """

    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(group, message)
        except Exception:  # the write is safe; live delivery is best effort
            logger.warning("Could not broadcast to %s", group, exc_info=True)

    transaction.on_commit(send)


def revoke_user_sockets(user_id: int) -> None:
    """Close every open socket of this account once the transaction commits (deactivated, erased)."""
    broadcast_on_commit(access_group(user_id), {"type": "access.revoked"})


def recheck_user_sockets(user_id: int) -> None:
    """Make every open socket of this account check again whether it may stay open (roles changed)."""
    broadcast_on_commit(access_group(user_id), {"type": "access.changed"})


def revoke_session_sockets(session_key: str) -> None:
    """Close the sockets opened by one session (its member signed out there)."""
    broadcast_on_commit(session_group(session_key), {"type": "access.revoked"})


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


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or URL, with the scheme's default port filled in."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def trusted_origins(scope) -> set[tuple[str, str, int]]:
    """The origins a member's page may open sockets from: the socket's own (scheme, host, port), the portal's
    address (``PORTAL_BASE_URL``) and ``CSRF_TRUSTED_ORIGINS``.

    The socket's own origin is read from its ``Host`` header and its scheme (``wss`` is ``https``),
    as Django's CSRF check compares a form's Origin with the request's own, and only when that host is
    in ``ALLOWED_HOSTS``.  Behind a proxy that ends TLS the portal's address supplies the ``https`` origin.
    """
    from django.conf import settings
    from django.http.request import validate_host

    origins = {_origin(settings.PORTAL_BASE_URL), *(_origin(o) for o in getattr(settings, "CSRF_TRUSTED_ORIGINS", []))}
    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1")
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    own = _origin(f"{scheme}://{host}") if host else None
    if own is not None and validate_host(own[1], settings.ALLOWED_HOSTS):
        origins.add(own)
    return origins - {None}


class SameOriginValidator:
    """Refuse a websocket whose Origin is not the portal's own: scheme, host and port must all match.

    Channels' ``AllowedHostsOriginValidator`` compares the host alone, so a page on
    ``http://portal:8080`` or plain ``http://`` beside an ``https://`` portal could open
    a member's socket with their cookie.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            origin = dict(scope.get("headers") or []).get(b"origin", b"").decode("latin-1")
            if not origin or _origin(origin) not in trusted_origins(scope):
                await receive()  # the websocket.connect message
                await send({"type": "websocket.close", "code": REFUSED})
                return None
        return await self.application(scope, receive, send)


class MemberSocket(AsyncJsonWebsocketConsumer):
    """Base of every member's websocket: joins the member's access groups, tolerates bad frames, can be revoked.

    Subclasses call ``join_access_groups`` before ``accept`` and may override
    ``still_allowed`` to check more than membership when access changes.
    """

    groups_joined: tuple[str, ...] = ()
    refused: bool = False

    async def join_groups(self, *names: str) -> None:
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        names = (*names, access_group(self.scope["user"].pk), *((session_group(key),) if key else ()))
        for name in names:
            await self.channel_layer.group_add(name, self.channel_name)
        self.groups_joined = (*self.groups_joined, *names)

    async def leave_groups(self) -> None:
        for name in self.groups_joined:
            await self.channel_layer.group_discard(name, self.channel_name)
        self.groups_joined = ()

    async def disconnect(self, code):
        await self.leave_groups()

    async def refuse(self) -> None:
        """Stop sending to this socket at once and close it as refused (the page stops reconnecting)."""
        self.refused = True
        await self.leave_groups()
        await self.close(code=REFUSED)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # A frame that is not JSON text is ignored: it must not end the consumer (and every socket's
        # groups with it) by raising.
        if text_data is None:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        """Members' sockets only listen by default."""

    async def access_revoked(self, message):
        await self.refuse()

    async def access_changed(self, message):
        if not await self.still_allowed():
            await self.refuse()

    async def still_allowed(self) -> bool:
        return await database_sync_to_async(is_member_now)(self.scope["user"].pk)


def is_member_now(user_id: int) -> bool:
    """Whether the account is an approved, active member, read afresh (not from a socket's copy of the user)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("member").filter(pk=user_id).first()
    return user is not None and is_member(user)


def _revoke_after_sign_out(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        revoke_session_sockets(session.session_key)


def _revoke_after_account_change(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    if not raw and not created and not instance.is_active:
        revoke_user_sockets(instance.pk)  # deactivated or erased


def _revoke_after_account_deleted(sender, instance, **kwargs) -> None:
    revoke_user_sockets(instance.pk)


def _recheck_after_roles_change(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        recheck_user_sockets(instance.pk)
    else:
        for user_id in pk_set or instance.user_set.values_list("pk", flat=True):
            recheck_user_sockets(user_id)


def connect_receivers() -> None:
    """Close or re-check open sockets whenever an account's access ends or changes, whichever door it came through
    (the portal's services, Wagtail's user editor, the shell)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import m2m_changed, post_delete, post_save

    User = get_user_model()
    user_logged_out.connect(_revoke_after_sign_out, dispatch_uid="portal.realtime.sign_out")
    post_save.connect(_revoke_after_account_change, sender=User, dispatch_uid="portal.realtime.account_saved")
    post_delete.connect(_revoke_after_account_deleted, sender=User, dispatch_uid="portal.realtime.account_deleted")
    m2m_changed.connect(_recheck_after_roles_change, sender=User.groups.through, dispatch_uid="portal.realtime.roles")


class MembersOnlyMiddleware(BaseMiddleware):
    """Refuse a websocket from anyone who is not an approved, active member."""

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        allowed = user is not None and await database_sync_to_async(is_member)(user)
        if not allowed:
            await receive()  # the websocket.connect message
            await send({"type": "websocket.close", "code": REFUSED})
            return None
        return await super().__call__(scope, receive, send)
