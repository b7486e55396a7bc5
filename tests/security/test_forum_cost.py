"""What one member's post or edit can cost the server (issue 21, finding 7).

Python-Markdown looks for a link at every ``[``; 15 KB of nested brackets took 33 seconds of CPU to
post, and edits had no rate limit (500 accepted in 43 seconds).  Rendering is now bounded
(``forum.text.bound_link_brackets``) and edits are limited as posts are.
"""
from __future__ import annotations

import time

import pytest

from forum.models import PostRevision, Reply
from forum.services import post_reply, post_thread

NESTED = "[" * 7_500 + "x" + "]" * 7_500  # 15 KB


@pytest.fixture
def thread(db, member):
    from forum.models import Board, Subsection

    board = Board.objects.create(subsection=Subsection.objects.create(name="Management", position=2), name="Commissioning and contracts")
    return post_thread(member, board, title="Procurement guide?", body="Has anyone seen the draft?")


def cpu_seconds(action) -> tuple[float, object]:
    started = time.process_time()
    result = action()
    return time.process_time() - started, result


@pytest.mark.parametrize("body", [
    NESTED,
    "[" * 15_000,  # never closed
    "![" * 7_500,  # images never closed
    "[a](" * 3_750,  # addresses never closed
], ids=["nested", "unclosed", "images", "addresses"])
def test_fifteen_kilobytes_of_link_brackets_post_in_well_under_a_second(client_for, member, thread, body):
    client = client_for(member)

    seconds, response = cpu_seconds(lambda: client.post(f"/forum/threads/{thread.pk}/reply/", {"body": body}))

    assert response.status_code == 302
    assert Reply.objects.filter(thread=thread).count() == 1
    assert seconds < 2.0, f"posting took {seconds:.1f} s of CPU"


def test_nested_brackets_are_shown_as_typed(client_for, member, thread):
    client = client_for(member)
    client.post(f"/forum/threads/{thread.pk}/reply/", {"body": "See [[the draft]] and [NICE](https://www.nice.org.uk/)."})

    html = Reply.objects.get(thread=thread).body_html

    assert "[<a" not in html
    assert "[[the draft]]" in html
    assert '<a href="https://www.nice.org.uk/" rel="nofollow noopener">NICE</a>' in html


def test_editing_with_fifteen_kilobytes_of_nested_brackets_takes_well_under_a_second(client_for, member, thread):
    reply = post_reply(member, thread, body="First thoughts.")
    client = client_for(member)

    seconds, response = cpu_seconds(lambda: client.post(f"/forum/replies/{reply.pk}/edit/", {"body": NESTED}))

    assert response.status_code == 302
    assert seconds < 2.0, f"editing took {seconds:.1f} s of CPU"


def test_edits_beyond_the_posting_rate_are_refused(client_for, member, thread, settings):
    settings.FORUM_POSTS_PER_WINDOW = 3
    reply = post_reply(member, thread, body="Version 0")
    client = client_for(member)

    answers = [client.post(f"/forum/replies/{reply.pk}/edit/", {"body": f"Version {n}"}, follow=True) for n in range(1, 5)]

    assert [a.redirect_chain != [] for a in answers] == [True, True, True, False]
    assert "You are posting very quickly" in answers[-1].content.decode()
    reply.refresh_from_db()
    assert reply.body == "Version 3"
    assert PostRevision.objects.filter(reply=reply).count() == 3
