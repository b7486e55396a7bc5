"""The home page tells a signed-out visitor that members see more, instead of saying nothing exists."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_visitor_is_told_members_read_questions_rather_than_that_none_were_asked(client, member):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    board = Board.objects.create(subsection=Subsection.objects.create(name="Management", position=1), name="Contracts")
    post_thread(member, board, title="Has anyone seen the draft procurement guide?", body="The SHA said May.")

    response = client.get("/")

    assert b"No questions have been asked yet" not in response.content
    assert b"The message boards are for network members" in response.content
    assert b'href="/accounts/login/?next=/forum/"' in response.content
    assert b"draft procurement guide" not in response.content


def test_member_with_no_questions_is_told_none_have_been_asked(client_for, member):
    response = client_for(member).get("/")

    assert b"No questions have been asked yet" in response.content
    assert b"The message boards are for network members" not in response.content
