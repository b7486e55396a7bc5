"""The forum's board list (/forum/): a fixed number of queries whatever the number of boards and threads."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.models import Board, Thread

# User with member (one query); the subsections, their boards with thread counts, the viewer's unread notifications (the
# session and the viewer's roles and permissions come from the cache: portal/core/permissions.py).
PINNED_BOARD_LIST_QUERIES = 4


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/forum/")
    assert response.status_code == 200
    return len(captured.captured_queries)


def _add_threads(board, author, count: int) -> None:
    now = timezone.now()
    Thread.objects.bulk_create([
        Thread(board=board, author=author, title=f"Question {n}", body="?", body_html="<p>?</p>", created_at=now, last_activity_at=now)
        for n in range(count)
    ])


def test_board_list_runs_the_same_queries_with_few_and_many_boards_and_threads(client_for, member, boards):
    client = client_for(member)
    _add_threads(boards["clinical"], member, 3)
    client.get("/forum/")  # warm the session
    few = _queries(client)
    for n in range(6):
        board = Board.objects.create(subsection=boards["clinical"].subsection, name=f"Board {n}")
        _add_threads(board, member, 50)
    many = _queries(client)
    assert few == many == PINNED_BOARD_LIST_QUERIES
