"""Time-to-answer report: how long the figures take with many questions.

Creates a throwaway test database (``test_<name>`` of whatever ``DATABASE_URL``
names, or an SQLite file), fills it with questions spread over four boards and
twelve months, most with replies and some accepted, then times
``forum.reports.answer_report`` for the twelve months (counts grouped in the
database, medians over the answered questions) and prints median and p95 in
milliseconds, and the query count.

Run from the repository root:

    . .venv/bin/activate
    python bench/answer_report.py                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_bench python bench/answer_report.py

Options: ``--threads N`` (default 20000), ``--repeat R`` (default 20).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def _populate(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from directory.models import Member
    from forum.models import Board, Reply, Subsection, Thread

    rng = random.Random(2008)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{n}", email=f"bench{n}@example.nhs.uk") for n in range(50)]
    )
    members = Member.objects.bulk_create([Member(user=u, status="approved") for u in users])
    section = Subsection.objects.create(name="Bench")
    boards = [Board.objects.create(subsection=section, name=f"Board {n}") for n in range(4)]
    now = timezone.now()
    threads = Thread.objects.bulk_create([
        Thread(board=rng.choice(boards), title=f"Question {n}", body="?", body_html="?", author=rng.choice(members),
               created_at=now - timedelta(days=rng.uniform(0, 360)),
               escalated_at=now if rng.random() < 0.1 else None)
        for n in range(count)
    ], batch_size=2000)
    replies = []
    for thread in threads:
        for k in range(rng.choice([0, 1, 1, 2, 3])):
            replies.append(Reply(thread=thread, author=rng.choice(members), body="!", body_html="!",
                                 created_at=thread.created_at + timedelta(hours=rng.uniform(0.5, 200) * (k + 1))))
    Reply.objects.bulk_create(replies, batch_size=2000)
    by_thread = {}
    for reply in replies:
        by_thread.setdefault(reply.thread_id, reply)
    accepted = [t for t in threads if t.pk in by_thread and rng.random() < 0.4]
    for thread in accepted:
        thread.accepted_reply = by_thread[thread.pk]
    Thread.objects.bulk_update(accepted, ["accepted_reply"], batch_size=2000)
    print(f"{len(threads)} questions, {len(replies)} replies, {len(accepted)} accepted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from forum.reports import answer_report

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        _populate(args.threads)
        end = timezone.localdate()
        start = (end.replace(day=1) - timedelta(days=335)).replace(day=1)
        answer_report(start, end)
        timings = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                report = answer_report(start, end)
            timings.append((time.perf_counter() - began) * 1000)
        p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{connection.vendor}: 12 months, {len(report.rows)} board-months, "
              f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries")
        print(json.dumps({"bench": "answer_report", "vendor": connection.vendor, "threads": args.threads,
                          "median_ms": round(statistics.median(timings), 1), "p95_ms": round(p95, 1), "queries": len(queries)}))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
