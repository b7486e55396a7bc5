"""A reply that arrives live has the same buttons as one loaded with the page, for the viewer's role (issue 20, item 7).

Over real websockets (``portal.site.asgi.application`` and the configured channel layer), one viewer per test.
"""
from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from forum import services
from portal.site.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def _thread_socket(person, thread, after=None):
    def cookie():
        client = Client()
        client.force_login(person.user)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    path = f"/ws/forum/threads/{thread.pk}/" + (f"?after={after}" if after is not None else "")
    socket = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost"), (b"host", b"localhost"),
                                                               (b"cookie", await sync_to_async(cookie)())])
    connected, _ = await socket.connect(timeout=5)
    assert connected
    return socket


async def _live_reply(person, thread, author, body="Due out in May 2008.") -> tuple[object, str]:
    socket = await _thread_socket(person, thread)
    reply = await sync_to_async(services.post_reply)(author, thread, body=body)
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "forum.event":
            break
    await socket.disconnect()
    (post,) = [p for p in message["posts"] if p["id"] == f"post-{reply.pk}"]
    return reply, post["html"]


async def test_asker_receives_a_live_reply_with_accept_quote_and_report(member, other_org_member, thread):
    reply, html = await _live_reply(member, thread, other_org_member)

    assert "Accept as the answer" in html and reverse("forum:accept", args=[reply.pk]) in html
    assert f"quote={reply.pk}" in html and reverse("forum:report_reply", args=[reply.pk]) in html
    assert "Hide" not in html and reverse("forum:edit_reply", args=[reply.pk]) not in html


async def test_member_receives_a_live_reply_with_quote_and_report_only(member, other_org_member, cluster_lead, thread):
    reply, html = await _live_reply(cluster_lead, thread, other_org_member)

    assert f"quote={reply.pk}" in html and reverse("forum:report_reply", args=[reply.pk]) in html
    assert "Accept as the answer" not in html and "Hide" not in html and reverse("forum:edit_reply", args=[reply.pk]) not in html


async def test_moderator_receives_a_live_reply_with_edit_accept_and_hide(moderator, other_org_member, thread):
    reply, html = await _live_reply(moderator, thread, other_org_member)

    assert reverse("forum:hide_reply", args=[reply.pk]) in html and reverse("forum:edit_reply", args=[reply.pk]) in html
    assert "Accept as the answer" in html and f"quote={reply.pk}" in html


async def test_author_receives_their_own_live_reply_with_edit(member, other_org_member, thread):
    reply, html = await _live_reply(other_org_member, thread, other_org_member)

    assert reverse("forum:edit_reply", args=[reply.pk]) in html
    assert "Accept as the answer" not in html and "Hide" not in html


async def test_live_reply_forms_carry_the_csrf_placeholder_the_page_fills_in(member, other_org_member, thread):
    from forum.queries import CSRF_PLACEHOLDER

    _reply, html = await _live_reply(member, thread, other_org_member)

    assert f'name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}"' in html


async def test_live_reply_in_a_locked_thread_has_no_quote_for_members(member, other_org_member, moderator, thread):
    await sync_to_async(services.lock_thread)(moderator, thread)

    reply, html = await _live_reply(member, thread, moderator, body="Locked: see the SHA's note.")

    assert f"quote={reply.pk}" not in html and reverse("forum:report_reply", args=[reply.pk]) in html


async def test_moderator_receives_a_hidden_reply_marked_as_hidden_and_members_do_not(member, other_org_member, moderator, thread):
    reply = await sync_to_async(services.post_reply)(other_org_member, thread, body="Mrs Example was seen on Tuesday")
    moderators_socket = await _thread_socket(moderator, thread)
    members_socket = await _thread_socket(member, thread)

    await sync_to_async(services.hide_post)(moderator, reply, reason="Patient details")

    seen = {}
    for name, socket in (("moderator", moderators_socket), ("member", members_socket)):
        while (message := await socket.receive_json_from(timeout=5))["type"] != "forum.event":
            pass
        seen[name] = message["posts"][0]["html"]
        await socket.disconnect()
    assert "Mrs Example was seen on Tuesday" in seen["moderator"] and "only moderators can see this reply" in seen["moderator"]
    assert reverse("forum:unhide_reply", args=[reply.pk]) in seen["moderator"]
    assert "Mrs Example" not in seen["member"] and "hidden by a moderator" in seen["member"]


async def test_catch_up_sends_the_viewers_own_buttons(member, other_org_member, thread):
    reply = await sync_to_async(services.post_reply)(other_org_member, thread, body="Due out in May 2008.")

    socket = await _thread_socket(member, thread, after=0)
    messages = []
    while (message := await socket.receive_json_from(timeout=5))["type"] != "forum.caught_up":
        messages.append(message)
    await socket.disconnect()

    (html,) = [post["html"] for message in messages for post in message["posts"] if post["id"] == f"post-{reply.pk}"]
    assert "Accept as the answer" in html and "Hide" not in html
