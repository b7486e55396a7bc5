"""Websockets attacked the way the probe did (issue 21: 4, 8 and 17), over the real routing and channel layer.

Each test opens real sockets through ``portal.site.asgi.application`` with a
member's session cookie, as a browser tab would, and checks what reaches
them after the attack or the change of access.
"""
from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from forum import services
from forum.models import Board, Subsection, ThreadEvent
from portal.site.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = 4403


@pytest.fixture
def forum_boards(db):
    section = Subsection.objects.create(name="Management")
    return {
        "members": Board.objects.create(subsection=section, name="Commissioning and contracts"),
        "moderators": Board.objects.create(subsection=section, name="Moderators' room", audience=Board.Audience.MODERATORS),
    }


@pytest.fixture
def thread(member, forum_boards):
    return services.post_thread(member, forum_boards["members"], title="Procurement guide?", body="Has anyone seen it?")


def _signed_in(person) -> tuple[Client, bytes]:
    client = Client()
    client.force_login(person.user)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def _open(path: str, cookie: bytes, *, origin: bytes = b"http://localhost", scheme: str | None = None):
    communicator = WebsocketCommunicator(application, path, headers=[(b"origin", origin), (b"host", b"localhost"), (b"cookie", cookie)])
    if scheme:
        communicator.scope["scheme"] = scheme
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def _thread_socket(person, thread):
    client, cookie = await sync_to_async(_signed_in)(person)
    socket, connected, _ = await _open(f"/ws/forum/threads/{thread.pk}/", cookie)
    assert connected
    return client, socket


async def _next_event(socket) -> dict:
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "forum.event":
            return message


async def _closed_as_refused(socket) -> bool:
    """Whether the server closes the socket as refused, reading past anything sent before the close."""
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output.get("code") == REFUSED


# --- 21.17: the Origin check compares scheme and port, not only the host ---------------------


@pytest.mark.parametrize("origin", [b"http://localhost:8081", b"https://localhost", b"http://localhost:8000.evil.example"])
async def test_socket_from_the_same_host_on_another_port_or_scheme_is_refused(member, thread, origin):
    _client, cookie = await sync_to_async(_signed_in)(member)

    socket, connected, _ = await _open(f"/ws/forum/threads/{thread.pk}/", cookie, origin=origin)

    assert not connected


async def test_secure_socket_from_a_plain_http_page_on_the_same_host_is_refused(member, thread):
    _client, cookie = await sync_to_async(_signed_in)(member)

    socket, connected, _ = await _open(f"/ws/forum/threads/{thread.pk}/", cookie, origin=b"http://localhost", scheme="wss")

    assert not connected


async def test_socket_from_the_portals_own_origin_is_accepted(member, thread, settings):
    # Behind a proxy that ends TLS the socket itself is plain ws://, and the portal's address gives the https origin.
    settings.PORTAL_BASE_URL = "https://127.0.0.1:8443"
    _client, cookie = await sync_to_async(_signed_in)(member)

    own, own_connected, _ = await _open(f"/ws/forum/threads/{thread.pk}/", cookie, origin=b"http://localhost")
    portal, portal_connected, _ = await _open(f"/ws/forum/threads/{thread.pk}/", cookie, origin=b"https://127.0.0.1:8443")

    assert own_connected and portal_connected
    await own.disconnect()
    await portal.disconnect()


# --- 21.17: a frame that is not JSON must not crash the consumer ----------------------------------


@pytest.mark.parametrize("frame", [{"text_data": "not json {"}, {"bytes_data": b"\x00\xff"}])
async def test_frame_that_is_not_json_leaves_the_socket_working(member, other_org_member, thread, frame):
    _client, socket = await _thread_socket(member, thread)

    await socket.send_to(**frame)
    await sync_to_async(services.post_reply)(other_org_member, thread, body="Still live")

    assert (await _next_event(socket))["kind"] == "reply.posted"
    await socket.disconnect()


async def test_frame_that_is_not_json_leaves_the_notifications_socket_working(member):
    from channels.layers import get_channel_layer

    from portal.core.realtime import user_group

    _client, cookie = await sync_to_async(_signed_in)(member)
    socket, connected, _ = await _open("/ws/notifications/", cookie)
    assert connected

    await socket.send_to(text_data="]]")
    await get_channel_layer().group_send(user_group(member.user.pk), {"type": "notification", "payload": {"text": "Still here"}})

    assert (await socket.receive_json_from(timeout=5))["payload"] == {"text": "Still here"}
    await socket.disconnect()


# --- 21.4: sockets are closed when access ends, not only checked when they connect ------------------


async def test_signing_out_closes_that_sessions_sockets(member, other_org_member, thread):
    client, socket = await _thread_socket(member, thread)

    await sync_to_async(client.post)("/accounts/logout/")

    assert await _closed_as_refused(socket)


async def test_signing_out_leaves_the_members_other_sessions_open(member, other_org_member, thread):
    client, signed_out = await _thread_socket(member, thread)
    _other_client, still_signed_in = await _thread_socket(member, thread)

    await sync_to_async(client.post)("/accounts/logout/")
    assert await _closed_as_refused(signed_out)
    await sync_to_async(services.post_reply)(other_org_member, thread, body="Seen on the other computer")

    assert (await _next_event(still_signed_in))["kind"] == "reply.posted"
    await still_signed_in.disconnect()


async def test_deactivating_a_member_closes_their_sockets(member, network_admin, thread):
    from directory.services import deactivate_member

    _client, cookie = await sync_to_async(_signed_in)(member)
    socket, _, _ = await _open(f"/ws/forum/threads/{thread.pk}/", cookie)
    notifications, connected, _ = await _open("/ws/notifications/", cookie)
    assert connected

    await sync_to_async(deactivate_member)(member, by=network_admin.user)

    assert await _closed_as_refused(socket)
    assert await _closed_as_refused(notifications)


async def test_erasing_a_member_closes_their_sockets(member, other_org_member, network_admin, forum_boards):
    from directory.services import erase_member

    thread = await sync_to_async(services.post_thread)(other_org_member, forum_boards["members"], title="Fair shares", body="?")
    _client, socket = await _thread_socket(member, thread)

    await sync_to_async(erase_member)(member, by=network_admin.user)

    assert await _closed_as_refused(socket)


async def test_losing_the_moderator_role_closes_sockets_on_the_moderators_board(moderator, forum_boards):
    from django.contrib.auth.models import Group

    from portal.core.roles import Role

    thread = await sync_to_async(services.post_thread)(moderator, forum_boards["moderators"], title="Reports this week", body="Two")
    _client, socket = await _thread_socket(moderator, thread)

    def stop_moderating():
        moderator.user.groups.remove(Group.objects.get(name=str(Role.MODERATOR)))

    await database_sync_to_async(stop_moderating)()

    assert await _closed_as_refused(socket)


async def test_thread_moved_to_the_moderators_board_stops_reaching_members(member, other_org_member, moderator, thread, forum_boards):
    _client, members_socket = await _thread_socket(other_org_member, thread)
    _client, moderators_socket = await _thread_socket(moderator, thread)

    await sync_to_async(services.move_thread)(moderator, thread, forum_boards["moderators"])
    await sync_to_async(services.post_reply)(moderator, thread, body="Between us: the figures are wrong")

    assert await _closed_as_refused(members_socket)
    kinds = [(await _next_event(moderators_socket))["kind"] for _ in range(2)]
    assert kinds == ["thread.changed", "reply.posted"]
    await moderators_socket.disconnect()


async def test_hidden_thread_stops_reaching_members(member, other_org_member, moderator, thread):
    _client, members_socket = await _thread_socket(other_org_member, thread)

    await sync_to_async(services.hide_post)(moderator, thread, reason="Patient details")

    assert await _closed_as_refused(members_socket)


async def test_thread_moved_to_the_moderators_board_refuses_a_members_catch_up(member, other_org_member, moderator, thread, forum_boards):
    await sync_to_async(services.post_reply)(other_org_member, thread, body="first")
    _client, cookie = await sync_to_async(_signed_in)(other_org_member)
    await sync_to_async(services.move_thread)(moderator, thread, forum_boards["moderators"])

    socket, connected, code = await _open(f"/ws/forum/threads/{thread.pk}/?after=0", cookie)

    assert not connected and code == REFUSED


# --- 21.8: catch-up is bounded, rate-limited and starts from what the socket has ------------------------


def _queries_in_the_consumers_thread() -> list[str]:
    """Every SQL statement run from now on in the thread ``database_sync_to_async`` uses (the consumer's reads)."""
    from django.db import connection

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    connection.execute_wrappers.append(count)
    return statements


def _stop_counting() -> None:
    from django.db import connection

    connection.execute_wrappers.clear()


async def _drain_catch_up(socket) -> list[dict]:
    received = []
    while True:
        message = await socket.receive_json_from(timeout=10)
        if message["type"] == "forum.caught_up":
            return received
        received.append(message)


async def test_catch_up_asked_again_on_an_open_socket_does_not_re_read_what_it_sent(member, other_org_member, thread, settings):
    settings.FORUM_POSTS_PER_WINDOW = 100
    for n in range(12):
        await sync_to_async(services.post_reply)(other_org_member, thread, body=f"reply {n}")
    _client, cookie = await sync_to_async(_signed_in)(member)
    socket, connected, _ = await _open(f"/ws/forum/threads/{thread.pk}/?after=0", cookie)
    assert connected
    assert len(await _drain_catch_up(socket)) == 13

    statements = await database_sync_to_async(_queries_in_the_consumers_thread)()
    await socket.send_json_to({"type": "catch_up", "after": 0})
    resent = await _drain_catch_up(socket)
    await database_sync_to_async(_stop_counting)()

    assert resent == []
    assert len(statements) <= 8, f"a repeated catch-up re-read the thread's events: {len(statements)} queries"
    await socket.disconnect()


async def test_catch_up_requests_beyond_the_allowance_are_ignored(member, other_org_member, thread):
    from forum.consumers import CatchUpAllowance

    _client, socket = await _thread_socket(member, thread)

    for _ in range(20):
        await socket.send_json_to({"type": "catch_up", "after": 0})
    answered = 0
    while not await socket.receive_nothing(timeout=1):
        answered += (await socket.receive_json_from(timeout=5))["type"] == "forum.caught_up"

    assert answered == CatchUpAllowance.burst
    await socket.disconnect()


async def test_catch_up_sends_a_bounded_number_of_events(member, other_org_member, thread, monkeypatch, settings):
    settings.FORUM_POSTS_PER_WINDOW = 100
    import forum.consumers

    monkeypatch.setattr(forum.consumers, "CATCH_UP_LIMIT", 4)
    for n in range(6):
        await sync_to_async(services.post_reply)(other_org_member, thread, body=f"reply {n}")
    _client, cookie = await sync_to_async(_signed_in)(member)

    socket, connected, _ = await _open(f"/ws/forum/threads/{thread.pk}/?after=0", cookie)
    assert connected
    received = []
    while True:
        message = await socket.receive_json_from(timeout=10)
        if message["type"] == "forum.caught_up":
            break
        received.append(message)

    assert len(received) == 4 and message["complete"] is False
    assert await sync_to_async(ThreadEvent.objects.filter(thread=thread).count)() == 7
    await socket.disconnect()
