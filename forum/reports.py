"""Time to answer: how the boards serve the people who ask, per board and month.

For administrators and SHA staff (``forum.view_answer_report``).  Two grouped
queries do the work in the database: questions per board and month (asked,
accepted, escalated), and each answered question's first reply by someone
else (one pass over the replies).  The medians are taken in Python from the
second, since SQLite has no median.

Definitions, stated on the page as well:

* a question is a thread that is not hidden, counted in the month (London
  time) it was asked;
* answered: at least one visible reply by someone other than the asker;
* accepted: it has an accepted answer; escalated: it was referred to the SHA
  (questions on the "Ask the SHA" boards are referred as they are asked);
* times are calendar time, not working hours: from the question to the first
  visible reply by someone else, and to the posting of the reply that was
  accepted.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, Q
from django.db.models.functions import TruncMonth

from forum.models import Board, Reply, Thread

LONDON = ZoneInfo("Europe/London")


@dataclass
class ReportRow:
    """One board in one month (or, with ``board`` None, every board in that month)."""

    month: date
    board: Board | None
    asked: int = 0
    answered: int = 0
    accepted: int = 0
    escalated: int = 0
    to_first_reply: list[timedelta] = field(default_factory=list, repr=False)
    to_accepted: list[timedelta] = field(default_factory=list, repr=False)

    @property
    def median_to_first_reply(self) -> timedelta | None:
        return statistics.median(self.to_first_reply) if self.to_first_reply else None

    @property
    def median_to_accepted(self) -> timedelta | None:
        return statistics.median(self.to_accepted) if self.to_accepted else None

    @property
    def hours_to_first_reply(self) -> str:
        return hours(self.median_to_first_reply)

    @property
    def hours_to_accepted(self) -> str:
        return hours(self.median_to_accepted)


@dataclass
class AnswerReport:
    start: date
    end: date
    rows: list[ReportRow]  # board × month, months in order, boards in board order
    months: list[ReportRow]  # every board together, one row per month in the range (zeros included)


def hours(delta: timedelta | None) -> str:
    """A duration as hours to one decimal place, for tables and CSV ("" when there is none)."""
    return "" if delta is None else f"{delta.total_seconds() / 3600:.1f}"


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def answer_report(start: date, end: date) -> AnswerReport:
    """Questions asked from ``start`` to ``end`` (inclusive, London dates), per board and month."""
    since = datetime.combine(start, time.min, tzinfo=LONDON)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=LONDON)
    counts = (
        Thread.objects.filter(is_hidden=False, created_at__gte=since, created_at__lt=until)
        .values("board_id", month=TruncMonth("created_at", tzinfo=LONDON))
        .annotate(asked=Count("pk"), accepted=Count("pk", filter=Q(accepted_reply__isnull=False)),
                  escalated=Count("pk", filter=Q(escalated_at__isnull=False)))
        .order_by()
    )
    # One row per answered question: its first visible reply by someone other than the asker.
    answered = (
        Reply.objects.filter(is_hidden=False, thread__is_hidden=False, thread__created_at__gte=since, thread__created_at__lt=until)
        .exclude(author_id=F("thread__author_id"))
        .values("thread_id", "thread__board_id", "thread__created_at", "thread__accepted_reply__created_at",
                month=TruncMonth("thread__created_at", tzinfo=LONDON))
        .annotate(first_reply_at=Min("created_at"))
        .order_by()
    )
    boards = {b.pk: b for b in Board.objects.select_related("subsection")}
    rows: dict[tuple[int, date], ReportRow] = {}
    for c in counts:
        month = _as_date(c["month"])
        rows[(c["board_id"], month)] = ReportRow(month, boards[c["board_id"]], asked=c["asked"], accepted=c["accepted"],
                                                 escalated=c["escalated"])
    for a in answered:
        row = rows[(a["thread__board_id"], _as_date(a["month"]))]
        row.answered += 1
        row.to_first_reply.append(a["first_reply_at"] - a["thread__created_at"])
        if a["thread__accepted_reply__created_at"] is not None:
            row.to_accepted.append(a["thread__accepted_reply__created_at"] - a["thread__created_at"])
    ordered = sorted(rows.values(), key=lambda r: (r.month, list(boards).index(r.board.pk)))
    months = []
    for month in _months(start, end):
        total = ReportRow(month, None)
        for row in (r for r in ordered if r.month == month):
            total.asked += row.asked
            total.answered += row.answered
            total.accepted += row.accepted
            total.escalated += row.escalated
            total.to_first_reply += row.to_first_reply
            total.to_accepted += row.to_accepted
        months.append(total)
    return AnswerReport(start, end, ordered, months)


def _as_date(value) -> date:
    # TruncMonth gives an aware datetime on PostgreSQL and SQLite alike; the month is its London date.
    return value.astimezone(LONDON).date() if isinstance(value, datetime) else value


CSV_HEADER = ["Board", "Month", "Asked", "Answered", "Accepted", "Escalated",
              "Median hours to first reply", "Median hours to accepted answer"]


def csv_rows(report: AnswerReport):
    yield CSV_HEADER
    for row in report.rows:
        yield [row.board.name, row.month.strftime("%Y-%m"), row.asked, row.answered, row.accepted, row.escalated,
               row.hours_to_first_reply, row.hours_to_accepted]


SERIES = (("asked", "Asked", "#005eb8"), ("answered", "Answered", "#007f3b"),
          ("accepted", "Accepted", "#330072"), ("escalated", "Escalated", "#d5281b"))


def chart(report: AnswerReport, *, plot_height: int = 200, bar_width: int = 10) -> dict:
    """Geometry for the server-drawn SVG bar chart: four bars per month, all boards together."""
    top = max([max(getattr(m, key) for key, _, _ in SERIES) for m in report.months] + [1])
    group = bar_width * len(SERIES) + 16
    groups = []
    for index, month in enumerate(report.months):
        x0 = 40 + index * group
        bars = []
        for n, (key, label, colour) in enumerate(SERIES):
            value = getattr(month, key)
            height = plot_height * value / top
            bars.append({"x": x0 + n * bar_width, "y": 10 + plot_height - height, "height": height, "value": value,
                         "label": label, "colour": colour})
        groups.append({"month": month.month, "x": x0, "centre": x0 + bar_width * len(SERIES) / 2, "bars": bars})
    return {
        "groups": groups, "top": top, "bar_width": bar_width, "plot_height": plot_height, "baseline": 10 + plot_height,
        "width": 40 + group * len(report.months) + 10, "height": plot_height + 50,
        "legend": [{"label": label, "colour": colour} for _, label, colour in SERIES],
    }
