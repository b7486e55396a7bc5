"""Live thread and board pages over the configured channel layer (Redis in CI), one scenario per test."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from forum import services
from forum.models import ThreadEvent
from portal.site.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def session_headers(client, member, origin=b"http://localhost"):
    client.force_login(member.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return [(b"origin", origin), (b"cookie", cookie), (b"host", b"localhost")]


async def open_socket(client, member, path, origin=b"http://localhost"):
    headers = await sync_to_async(session_headers)(client, member, origin)
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def next_event(communicator):
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "forum.event":
            return message


def thread_path(thread, after=None):
    return f"/ws/forum/threads/{thread.pk}/" + (f"?after={after}" if after is not None else "")


async def test_new_reply_appears_on_the_thread_page(client, member, other_org_member, thread):
    socket, connected, _ = await open_socket(client, member, thread_path(thread))
    assert connected

    reply = await sync_to_async(services.post_reply)(other_org_member, thread, body="Due out in **May 2008**.")

    message = await next_event(socket)
    assert message["kind"] == "reply.posted"
    assert message["posts"][0]["id"] == f"post-{reply.pk}"
    assert "<strong>May 2008</strong>" in message["posts"][0]["html"]
    assert "Oliver Grant" in message["posts"][0]["html"]
    await socket.disconnect()


async def test_edit_appears_on_the_thread_page(client, member, other_org_member, thread):
    reply = await sync_to_async(services.post_reply)(other_org_member, thread, body="June")
    socket, connected, _ = await open_socket(client, member, thread_path(thread))
    assert connected

    await sync_to_async(services.edit_post)(other_org_member, reply, body="May, not June")

    message = await next_event(socket)
    assert message["kind"] == "post.edited"
    assert "May, not June" in message["posts"][0]["html"]
    await socket.disconnect()


async def test_hidden_reply_disappears_from_the_thread_page(client, member, other_org_member, moderator, thread):
    reply = await sync_to_async(services.post_reply)(other_org_member, thread, body="Something rude")
    socket, connected, _ = await open_socket(client, member, thread_path(thread))
    assert connected

    await sync_to_async(services.hide_post)(moderator, reply, reason="Rude")

    message = await next_event(socket)
    assert message["kind"] == "post.hidden"
    assert "Something rude" not in message["posts"][0]["html"]
    assert "hidden by a moderator" in message["posts"][0]["html"]
    await socket.disconnect()


async def test_accepted_answer_appears_on_the_thread_page(client, member, other_org_member, thread):
    reply = await sync_to_async(services.post_reply)(other_org_member, thread, body="May 2008")
    socket, connected, _ = await open_socket(client, other_org_member, thread_path(thread))
    assert connected

    await sync_to_async(services.accept_answer)(member, reply)

    message = await next_event(socket)
    assert message["kind"] == "answer.accepted"
    assert "Accepted answer" in message["posts"][0]["html"]
    assert "Answered" in message["status_html"]
    await socket.disconnect()


async def test_new_thread_appears_on_the_board_page(client, member, other_org_member, board):
    socket, connected, _ = await open_socket(client, member, f"/ws/forum/boards/{board.slug}/")
    assert connected

    thread = await sync_to_async(services.post_thread)(other_org_member, board, title="Fair shares: who has the formula?", body="?")

    message = await next_event(socket)
    assert message["kind"] == "thread.posted" and message["row_id"] == f"thread-{thread.pk}"
    assert "Fair shares: who has the formula?" in message["html"]
    await socket.disconnect()


async def test_reconnecting_page_receives_what_it_missed_once_and_in_order(client, member, other_org_member, thread):
    socket, connected, _ = await open_socket(client, member, thread_path(thread))
    assert connected
    first = await sync_to_async(services.post_reply)(other_org_member, thread, body="first")
    seen = (await next_event(socket))["event"]
    await socket.disconnect()

    # While the page is disconnected: two replies and an edit of the first.
    second = await sync_to_async(services.post_reply)(other_org_member, thread, body="second")
    third = await sync_to_async(services.post_reply)(other_org_member, thread, body="third")
    await sync_to_async(services.edit_post)(other_org_member, first, body="first, edited")

    socket, connected, _ = await open_socket(client, member, thread_path(thread, after=seen))
    assert connected
    missed = [await next_event(socket) for _ in range(3)]
    caught_up = await socket.receive_json_from(timeout=5)
    assert caught_up["type"] == "forum.caught_up"
    assert [m["kind"] for m in missed] == ["reply.posted", "reply.posted", "post.edited"]
    assert [m["posts"][0]["id"] for m in missed] == [f"post-{second.pk}", f"post-{third.pk}", f"post-{first.pk}"]
    event_ids = [m["event"] for m in missed]
    assert event_ids == sorted(event_ids) and event_ids[0] > seen

    # Then live again, with nothing repeated.
    fourth = await sync_to_async(services.post_reply)(other_org_member, thread, body="fourth")
    live = await next_event(socket)
    assert live["posts"][0]["id"] == f"post-{fourth.pk}"
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_catch_up_does_not_repeat_events_delivered_live_meanwhile(client, member, other_org_member, thread):
    for n in range(3):
        await sync_to_async(services.post_reply)(other_org_member, thread, body=f"reply {n}")
    total = await sync_to_async(ThreadEvent.objects.filter(thread=thread).count)()

    socket, connected, _ = await open_socket(client, member, thread_path(thread, after=0))
    assert connected
    received = []
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "forum.caught_up":
            break
        received.append(message["event"])
    socket_asks_again = {"type": "catch_up", "after": 0}
    await socket.send_json_to(socket_asks_again)  # a second catch-up sends nothing already sent
    assert (await socket.receive_json_from(timeout=5))["type"] == "forum.caught_up"
    assert len(received) == len(set(received)) == total
    await socket.disconnect()


async def test_member_cannot_join_a_moderators_board_thread(client, member, moderator, boards):
    hidden_board = boards["moderators"]
    thread = await sync_to_async(services.post_thread)(moderator, hidden_board, title="Reports this week", body="Two")

    socket, connected, code = await open_socket(client, member, thread_path(thread))
    assert not connected and code == 4403

    socket, connected, code = await open_socket(client, member, f"/ws/forum/boards/{hidden_board.slug}/")
    assert not connected and code == 4403


async def test_moderator_may_join_a_moderators_board_thread(client, moderator, boards):
    thread = await sync_to_async(services.post_thread)(moderator, boards["moderators"], title="Reports this week", body="Two")
    socket, connected, _ = await open_socket(client, moderator, thread_path(thread))
    assert connected
    await socket.disconnect()


async def test_member_cannot_join_a_hidden_thread(client, member, moderator, thread):
    await sync_to_async(services.hide_post)(moderator, thread)
    socket, connected, code = await open_socket(client, member, thread_path(thread))
    assert not connected and code == 4403


async def test_forum_socket_from_a_foreign_origin_is_refused(client, member, thread):
    socket, connected, _ = await open_socket(client, member, thread_path(thread), origin=b"https://evil.example.com")
    assert not connected


async def test_anonymous_forum_socket_is_refused(thread):
    communicator = WebsocketCommunicator(application, thread_path(thread), headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")])
    connected, code = await communicator.connect(timeout=5)
    assert not connected and code == 4403


async def test_a_reply_is_encoded_to_json_once_for_every_watching_page(member, other_org_member, thread):
    # The channel layer carries the payload as JSON text, so a thousand open pages cost one encoding, not a thousand.
    import json

    from channels.layers import get_channel_layer

    from forum.queries import thread_group

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(thread_group(thread.pk), channel)

    reply = await sync_to_async(services.post_reply)(other_org_member, thread, body="Encoded once")

    message = await layer.receive(channel)
    assert message["type"] == "forum.event" and message["event"] > 0
    payload = json.loads(message["texts"]["member"])  # one text per kind of viewer, each encoded once
    assert payload["kind"] == "reply.posted" and payload["posts"][0]["id"] == f"post-{reply.pk}"
    await layer.group_discard(thread_group(thread.pk), channel)


async def test_a_live_reply_reaches_the_page_without_a_database_cleanup_thread_hop(client, member, other_org_member, thread, monkeypatch):
    # Channels would run close_old_connections in a worker thread before each message: 1,000 hops for 1,000 pages.
    import channels.consumer

    cleanups = []
    original = channels.consumer.aclose_old_connections

    async def counted():
        cleanups.append(1)
        await original()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    communicator, connected, _ = await open_socket(client, member, thread_path(thread))
    assert connected
    before = len(cleanups)

    await sync_to_async(services.post_reply)(other_org_member, thread, body="No thread hop")
    event = await next_event(communicator)

    assert event["kind"] == "reply.posted"
    assert len(cleanups) == before
    await communicator.disconnect()
