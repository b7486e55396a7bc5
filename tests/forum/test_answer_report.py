"""Time to answer: figures per board and month checked against questions and replies made at known times."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from forum import services
from forum.reports import answer_report

LONDON = ZoneInfo("Europe/London")


def at(day, hour, month=11, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def ask(member, board, when, title):
    with time_machine.travel(when, tick=False):
        return services.post_thread(member, board, title=title, body="A question.")


def reply(member, thread, when):
    with time_machine.travel(when, tick=False):
        return services.post_reply(member, thread, body="An answer.")


@pytest.fixture
def history(member, other_org_member, moderator, boards):
    """Known questions in October and November 2026 on the clinical board, one to the SHA, one hidden."""
    clinical = boards["clinical"]
    # October: answered after 6 hours, and that answer accepted.
    october = ask(member, clinical, at(15, 9, month=10), "Community ophthalmology tariff")
    answer = reply(other_org_member, october, at(15, 15, month=10))
    services.accept_answer(member, answer)
    # November: answered after 2 hours and accepted; answered after 24 hours (the asker's own reply does not count); never answered.
    quick = ask(member, clinical, at(2, 9), "Who runs the anticoagulation clinic?")
    services.accept_answer(member, reply(other_org_member, quick, at(2, 11)))
    slow = ask(member, clinical, at(3, 9), "Minor surgery DES changes")
    reply(member, slow, at(3, 10))
    reply(other_org_member, slow, at(4, 9))
    reply(moderator, slow, at(4, 12))
    ignored = ask(member, clinical, at(5, 9), "Practice-based physiotherapy")
    with time_machine.travel(at(11, 9), tick=False):
        services.escalate_unanswered()
    # Ask the SHA: referred as it is asked.
    ask(member, boards["sha"], at(6, 9), "Indicative budgets for 2009/10")
    # A hidden question is not counted.
    spam = ask(other_org_member, clinical, at(7, 9), "Cheap printer toner")
    services.hide_post(moderator, spam, reason="Spam")
    return {"clinical": clinical, "sha": boards["sha"], "ignored": ignored}


def rows_by(report):
    return {(row.board.name, row.month): row for row in report.rows}


def test_counts_per_board_and_month(history):
    rows = rows_by(answer_report(date(2026, 10, 1), date(2026, 11, 30)))

    november = rows[("Clinical pathways", date(2026, 11, 1))]
    assert (november.asked, november.answered, november.accepted, november.escalated) == (3, 2, 1, 1)
    october = rows[("Clinical pathways", date(2026, 10, 1))]
    assert (october.asked, october.answered, october.accepted, october.escalated) == (1, 1, 1, 0)
    sha = rows[("Questions for the SHA", date(2026, 11, 1))]
    assert (sha.asked, sha.answered, sha.accepted, sha.escalated) == (1, 0, 0, 1)
    assert len(rows) == 3


def test_medians_are_calendar_time_to_first_reply_by_someone_else_and_to_the_accepted_answer(history):
    rows = rows_by(answer_report(date(2026, 10, 1), date(2026, 11, 30)))

    november = rows[("Clinical pathways", date(2026, 11, 1))]
    assert november.median_to_first_reply == timedelta(hours=13)  # median of 2 h and 24 h
    assert november.median_to_accepted == timedelta(hours=2)
    assert november.hours_to_first_reply == "13.0"
    october = rows[("Clinical pathways", date(2026, 10, 1))]
    assert october.median_to_first_reply == october.median_to_accepted == timedelta(hours=6)
    assert rows[("Questions for the SHA", date(2026, 11, 1))].median_to_first_reply is None


def test_month_totals_cover_every_month_in_the_range(history):
    report = answer_report(date(2026, 9, 1), date(2026, 11, 30))

    assert [(m.month, m.asked, m.answered, m.accepted, m.escalated) for m in report.months] == [
        (date(2026, 9, 1), 0, 0, 0, 0),
        (date(2026, 10, 1), 1, 1, 1, 0),
        (date(2026, 11, 1), 4, 2, 1, 2),
    ]


def test_date_range_leaves_out_questions_outside_it(history):
    report = answer_report(date(2026, 11, 3), date(2026, 11, 5))

    assert [(r.board.name, r.asked) for r in report.rows] == [("Clinical pathways", 2)]


def test_months_are_london_months(member, boards):
    # 1 October is in British Summer Time: 00:30 in London is 23:30 UTC on 30 September.
    ask(member, boards["clinical"], datetime(2026, 10, 1, 0, 30, tzinfo=LONDON), "Just after midnight")

    report = answer_report(date(2026, 9, 1), date(2026, 10, 31))

    assert [(r.month, r.asked) for r in report.rows] == [(date(2026, 10, 1), 1)]


# --- the page ---------------------------------------------------------------------------------------------------


def test_report_page_shows_table_and_chart_to_administrators(client_for, network_admin, history):
    response = client_for(network_admin).get("/forum/reports/time-to-answer/", {"start": "2026-10-01", "end": "2026-11-30"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "calendar time" in html
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in html
    assert "<script" not in html.split('<main', 1)[1].split("</main>", 1)[0]
    assert "Clinical pathways, November 2026" in html
    assert "1 October 2026 to 30 November 2026" in html


def test_sha_editors_see_the_report(client_for, sha_editor, boards):
    assert client_for(sha_editor).get("/forum/reports/time-to-answer/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "moderator", "cluster_lead"])
def test_other_members_are_refused_the_report(client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/forum/reports/time-to-answer/").status_code == 403
    assert client.get("/forum/reports/time-to-answer.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/forum/reports/time-to-answer/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_csv_export_has_the_same_figures(client_for, network_admin, history):
    response = client_for(network_admin).get("/forum/reports/time-to-answer.csv", {"start": "2026-10-01", "end": "2026-11-30"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Board", "Month", "Asked", "Answered", "Accepted", "Escalated", "Median hours to first reply", "Median hours to accepted answer"],
        ["Clinical pathways", "2026-10", "1", "1", "1", "0", "6.0", "6.0"],
        ["Clinical pathways", "2026-11", "3", "2", "1", "1", "13.0", "2.0"],
        ["Questions for the SHA", "2026-11", "1", "0", "0", "1", "", ""],
    ]


def test_a_backwards_range_is_refused_with_a_message(client_for, network_admin, boards):
    response = client_for(network_admin).get("/forum/reports/time-to-answer/", {"start": "2026-11-30", "end": "2026-10-01"})

    assert response.status_code == 200
    assert "The end date must be the same as or after the start date." in response.content.decode()


@pytest.mark.parametrize("questions", [2, 12])
def test_report_page_query_count_does_not_grow_with_questions(client_for, network_admin, member, other_org_member, boards,
                                                              questions, django_assert_num_queries):
    for n in range(questions):
        thread = ask(member, boards["clinical"], at(1 + n, 9), f"Question {n}")
        reply(other_org_member, thread, at(1 + n, 10))
    client = client_for(network_admin)
    client.get("/forum/reports/time-to-answer/")  # warm the session and permission caches
    # 1 for the user with the member row (the session, roles, two-factor check and permissions come from the cache);
    # 3 for boards, counts and medians.
    with django_assert_num_queries(4):
        client.get("/forum/reports/time-to-answer/", {"start": "2026-11-01", "end": "2026-11-30"})
