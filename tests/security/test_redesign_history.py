"""A matrix entry's change history shows linked things only as the viewer may see them today (issue 21, finding 10).

The history kept the title a thread had when it was linked; after a moderator moved it to the
moderators' board or hid it, every member still read that title on the entry's page.
"""
from __future__ import annotations

import pytest

from forum import services as forum
from redesign import services

SECRET_TITLE = "Dermatology lead under investigation"


@pytest.fixture
def boards(db):
    from forum.models import Board, Subsection

    management = Subsection.objects.create(name="Management", position=2)
    return {
        "open": Board.objects.create(subsection=management, name="Commissioning and contracts"),
        "moderators": Board.objects.create(subsection=management, name="Moderators' room", audience=Board.Audience.MODERATORS),
    }


@pytest.fixture
def linked_thread(cluster_lead, boards, region, service_areas):
    from redesign.models import MatrixEntry

    entry = MatrixEntry.objects.create(organisation=region["cluster"], service_area=service_areas["Dermatology"],
                                       title="Community dermatology service")
    thread = forum.post_thread(cluster_lead, boards["open"], title=SECRET_TITLE, body="Who else has seen this?")
    services.link_to_entry(entry, thread, actor=cluster_lead.user)
    return entry, thread


def history_text(client, entry) -> str:
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_thread_moved_to_the_moderators_board_after_linking_leaves_no_title_in_the_history(
        client_for, member, moderator, boards, linked_thread):
    entry, thread = linked_thread
    forum.move_thread(moderator, thread, boards["moderators"])

    page = history_text(client_for(member), entry)

    assert SECRET_TITLE not in page
    assert "linked a forum thread you cannot see" in page


def test_hidden_thread_leaves_no_title_in_the_history(client_for, member, moderator, linked_thread):
    entry, thread = linked_thread
    forum.hide_post(moderator, thread, reason="Names a patient")

    assert SECRET_TITLE not in history_text(client_for(member), entry)


def test_unlinked_then_hidden_thread_leaves_no_title_in_the_history(client_for, member, moderator, cluster_lead, linked_thread):
    entry, thread = linked_thread
    services.unlink_from_entry(entry, thread, actor=cluster_lead.user)
    forum.hide_post(moderator, thread, reason="Names a patient")

    page = history_text(client_for(member), entry)

    assert SECRET_TITLE not in page
    assert "removed the link to a forum thread you cannot see" in page


def test_readable_linked_thread_keeps_its_title_in_the_history(client_for, member, linked_thread):
    entry, _thread = linked_thread

    assert f"linked forum thread: {SECRET_TITLE}" in history_text(client_for(member), entry)


def test_moderator_still_sees_the_moved_threads_title_in_the_history(client_for, moderator, boards, linked_thread):
    entry, thread = linked_thread
    forum.move_thread(moderator, thread, boards["moderators"])

    assert SECRET_TITLE in history_text(client_for(moderator), entry)
