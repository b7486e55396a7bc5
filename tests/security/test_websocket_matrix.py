"""Role × websocket route matrix: every route in ``portal.site.routing`` answers each viewer as ``WEBSOCKET_EXPECTED`` says.

``accept``: the socket opens; a number: the close code it is refused with
(4403: not a signed-in approved member, or not allowed on that board).  A new
websocket route without a line here fails ``test_every_websocket_route_has_an_expectation``.
"""
from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from portal.site.asgi import application
from portal.site.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)

VIEWERS = ("anonymous", "member", "other_org_member", "cluster_lead", "moderator", "network_admin", "sha_editor")

# fmt: off
#                                                   anon   member other  lead   mod    admin  sha
WEBSOCKET_EXPECTED = {
    "ws/notifications/":                            "4403   accept accept accept accept accept accept",
    "ws/forum/threads/<int:thread_id>/ [members]":   "4403   accept accept accept accept accept accept",
    "ws/forum/threads/<int:thread_id>/ [moderators]": "4403   4403   4403   4403   accept accept 4403",
    "ws/forum/boards/<slug:slug>/ [members]":        "4403   accept accept accept accept accept accept",
    "ws/forum/boards/<slug:slug>/ [moderators]":     "4403   4403   4403   4403   accept accept 4403",
}
# fmt: on


def test_every_websocket_route_has_an_expectation():
    covered = {case.split(" [")[0] for case in WEBSOCKET_EXPECTED}
    missing = [str(p.pattern) for p in websocket_urlpatterns if str(p.pattern) not in covered]
    assert not missing, f"No expectation for websocket route(s) {missing}: add them to WEBSOCKET_EXPECTED in {__file__}."


def _build(member, other_org_member, cluster_lead, moderator, network_admin, sha_editor):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    section = Subsection.objects.create(name="Management")
    board = Board.objects.create(subsection=section, name="Commissioning and contracts")
    private = Board.objects.create(subsection=section, name="Moderators' room", audience=Board.Audience.MODERATORS)
    thread = post_thread(member, board, title="Procurement guide?", body="Has anyone seen it?")
    secret = post_thread(moderator, private, title="A worry", body="Private.")
    paths = {
        "ws/notifications/": "/ws/notifications/",
        "ws/forum/threads/<int:thread_id>/ [members]": f"/ws/forum/threads/{thread.pk}/",
        "ws/forum/threads/<int:thread_id>/ [moderators]": f"/ws/forum/threads/{secret.pk}/",
        "ws/forum/boards/<slug:slug>/ [members]": f"/ws/forum/boards/{board.slug}/",
        "ws/forum/boards/<slug:slug>/ [moderators]": f"/ws/forum/boards/{private.slug}/",
    }
    people = dict(zip(VIEWERS[1:], (member, other_org_member, cluster_lead, moderator, network_admin, sha_editor)))
    cookies = {}
    for viewer, person in people.items():
        client = Client()
        client.force_login(person.user)
        cookies[viewer] = f"sessionid={client.cookies['sessionid'].value}".encode()
    return paths, cookies


async def _outcome(path: str, cookie: bytes | None) -> str:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")] + ([(b"cookie", cookie)] if cookie else [])
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return "accept" if connected else str(code)


async def test_each_websocket_route_answers_each_viewer_as_expected(member, other_org_member, cluster_lead, moderator, network_admin, sha_editor):
    paths, cookies = await sync_to_async(_build)(member, other_org_member, cluster_lead, moderator, network_admin, sha_editor)
    wrong = []
    for case, expected in WEBSOCKET_EXPECTED.items():
        actual = [await _outcome(paths[case], cookies.get(viewer)) for viewer in VIEWERS]
        if actual != expected.split():
            wrong.append(f"{case}\n  expected: {' '.join(expected.split())}\n  actual:   {' '.join(actual)}")
    assert not wrong, "\n".join(wrong)
