"""Forum fixtures: the subsections and boards the demo has, and a way to post without the rate limit in the way."""
from __future__ import annotations

import pytest


@pytest.fixture
def boards(db):
    from forum.models import Board, Subsection

    clinical = Subsection.objects.create(name="Clinical", position=1)
    management = Subsection.objects.create(name="Management", position=2)
    sha = Subsection.objects.create(name="Ask the SHA", position=3)
    return {
        "clinical": Board.objects.create(subsection=clinical, name="Clinical pathways"),
        "management": Board.objects.create(subsection=management, name="Commissioning and contracts"),
        "sha": Board.objects.create(subsection=sha, name="Questions for the SHA", is_sha_board=True),
        "moderators": Board.objects.create(subsection=management, name="Moderators' room", audience=Board.Audience.MODERATORS),
    }


@pytest.fixture
def board(boards):
    return boards["management"]


@pytest.fixture
def thread(member, board):
    from forum.services import post_thread

    return post_thread(member, board, title="When are we likely to see the draft Procurement Guide?",
                       body="The SHA said **May 2008**. Has anyone seen a draft?")
