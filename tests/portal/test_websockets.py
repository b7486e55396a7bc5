"""The one ASGI application refuses websockets from foreign origins, anonymous visitors and non-members."""
import pytest
from channels.testing import WebsocketCommunicator

from portal.site.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def session_headers(client, member, origin=b"http://localhost"):
    client.force_login(member.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return [(b"origin", origin), (b"cookie", cookie), (b"host", b"localhost")]


async def connect(headers, path="/ws/notifications/"):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_member_connects_and_receives_their_notification(client, member):
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from portal.core.realtime import user_group

    headers = await sync_to_async(session_headers)(client, member)
    communicator, connected, _ = await connect(headers)
    assert connected

    await get_channel_layer().group_send(user_group(member.user.pk), {"type": "notification", "payload": {"text": "A reply to your question"}})
    message = await communicator.receive_json_from(timeout=5)

    assert message == {"type": "notification", "payload": {"text": "A reply to your question"}}
    await communicator.disconnect()


async def test_websocket_from_a_foreign_origin_is_refused(client, member):
    from asgiref.sync import sync_to_async

    headers = await sync_to_async(session_headers)(client, member, origin=b"https://evil.example.com")
    communicator, connected, _ = await connect(headers)

    assert not connected
    await communicator.disconnect()


async def test_anonymous_websocket_is_refused(db):
    communicator, connected, code = await connect([(b"origin", b"http://localhost"), (b"host", b"localhost")])

    assert not connected
    assert code == 4403


async def test_websocket_from_a_member_waiting_for_approval_is_refused(client, make_member):
    from asgiref.sync import sync_to_async

    pending = await sync_to_async(make_member)(status="pending")
    headers = await sync_to_async(session_headers)(client, pending)
    communicator, connected, code = await connect(headers)

    assert not connected
    assert code == 4403


async def test_notification_for_one_member_does_not_reach_another(client, member, other_org_member):
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from portal.core.realtime import user_group

    headers = await sync_to_async(session_headers)(client, other_org_member)
    communicator, connected, _ = await connect(headers)
    assert connected

    await get_channel_layer().group_send(user_group(member.user.pk), {"type": "notification", "payload": {"text": "private"}})

    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()
