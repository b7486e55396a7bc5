"""The benchmark's pieces on tiny data, so ``python -m bench`` cannot rot.  No timings are asserted here."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import run
from directory.models import Member
from portal.site.synthetic import SyntheticCounts, build_synthetic, current_counts, synthetic_thread

ROOT = Path(__file__).resolve().parents[2]
TINY = SyntheticCounts(members=6, entries=4, replies=3, documents=5, threads=3)


@pytest.fixture
def tiny(region, service_areas):
    return build_synthetic(TINY)


def test_bench_data_builds_each_kind_at_the_size_asked(tiny):
    assert tiny == TINY
    assert synthetic_thread().replies.count() == 3


def test_bench_data_run_again_at_the_same_size_keeps_the_same_rows(tiny):
    before = set(Member.objects.values_list("pk", flat=True))

    assert build_synthetic(TINY) == TINY
    assert set(Member.objects.values_list("pk", flat=True)) == before


def test_bench_data_threads_fall_off_with_popularity_on_boards_of_their_own(tiny):
    from forum.models import Thread

    threads = Thread.objects.filter(board__slug__startswith="synthetic-board-").order_by("-reply_count")

    assert threads.count() == 3
    assert [thread.replies.count() for thread in threads] == [thread.reply_count for thread in threads]
    assert threads[0].reply_count > threads[2].reply_count


def test_bench_data_members_rebuilt_take_the_replies_they_wrote_with_them(tiny):
    from forum.models import Reply
    from forum.services import post_reply
    from portal.site.synthetic import _remove_members

    writer = Member.objects.filter(user__username__startswith="synthetic-").exclude(user__username="synthetic-viewer").first()
    post_reply(writer, synthetic_thread(), body="Posted by a load member while the benchmark ran.")

    _remove_members()

    assert not Reply.objects.filter(author__user__username__startswith="synthetic-").exclude(
        author__user__username="synthetic-viewer").exists()


def test_bench_data_reset_removes_synthetic_rows_and_keeps_real_members(tiny, member):
    assert build_synthetic(SyntheticCounts()) == SyntheticCounts()
    assert Member.objects.filter(pk=member.pk).exists()


def test_bench_data_command_reports_what_it_built(region, service_areas):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench_data", "--members=2", "--entries=2", "--replies=2", "--documents=2", "--threads=2", "--no-demo", stdout=out)

    assert "2 members, 2 matrix entries, 2 replies, 2 search documents, 2 more threads" in out.getvalue()
    assert current_counts() == SyntheticCounts(2, 2, 2, 2, 2)


def test_query_counter_counts_each_page_for_the_right_visitor(tiny):
    thread = synthetic_thread()
    pages = [("directory list", "/directory/", True, False), ("forum thread", f"/forum/threads/{thread.pk}/", True, False),
             ("sign-in page", "/accounts/login/", False, False)]

    counts = run.count_queries(pages)

    assert set(counts) == {"directory list", "forum thread", "sign-in page"}
    assert all(count > 0 for figure, count in counts.items() if figure != "sign-in page")


@pytest.mark.django_db(transaction=True)
def test_load_generator_sends_the_asked_number_of_requests_and_reports_percentiles(live_server):
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--host", live_server.url, "--path", "/accounts/login/", "--rate", "10", "--duration", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )

    report = run.last_json_line(result.stdout)
    assert report["requests"] == 10
    assert report["failures"] == 0
    assert report["p50_ms"] <= report["p95_ms"] <= report["p99_ms"]


def test_script_result_is_its_last_json_line():
    output = "indexing …\n{\"p95_ms\": 1}\nsome words\n{\"p95_ms\": 12.5, \"documents\": 100}\n"

    assert run.last_json_line(output) == {"p95_ms": 12.5, "documents": 100}


def test_table_gives_ratio_to_target_and_marks_missed_targets():
    rows = [run.Row("page home", "12 ms", "p95 30 / p99 40 ms", "p95 ≤ 50 ms", 0.6, True),
            run.Row("cold start", "4.50 s", "runs: 4.50 s", "≤ 3 s", 1.5, False)]

    table = run.format_table(rows).splitlines()

    assert table[2] == "| page home | 12 ms | p95 30 / p99 40 ms | p95 ≤ 50 ms | 0.60 | met |"
    assert table[3].endswith("| 1.50 | **missed** |")


def test_results_file_keeps_its_notes_and_replaces_only_the_latest_run(tmp_path, monkeypatch):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nProfiling notes stay.\n")
    monkeypatch.setattr(run, "RESULTS", results)

    run.write_results("first run")
    run.write_results("second run")

    text = results.read_text()
    assert "Profiling notes stay." in text
    assert "second run" in text and "first run" not in text


def test_page_results_become_rows_against_the_cached_and_uncached_targets():
    pages = [("home", "/", False, True), ("directory list", "/directory/", True, False)]
    fast = {"p50_ms": 10, "p95_ms": 40, "p99_ms": 60, "failures": 0, "requests": 100, "achieved_rate": 100.0, "errors": []}
    results = {"home": fast, "directory list": {**fast, "failures": 2, "errors": ["HTTP 500"]}}

    home, directory = run.page_rows(results, pages, rate=100, duration=1)

    assert (home.met, home.ratio) == (True, 40 / 50)
    assert (directory.met, directory.ratio) == (False, 40 / 150)
    assert json.dumps(directory.notes) == json.dumps(["directory list: HTTP 500"])


def test_small_and_full_data_live_in_databases_of_their_own_beside_the_configured_one():
    url = "postgres://postgres@127.0.0.1:5432/pbc_bench"

    assert run.bench_database_url(url) == "postgres://postgres@127.0.0.1:5432/pbc_bench_bench"
    assert run.bench_database_url(url, "_bench_small") == "postgres://postgres@127.0.0.1:5432/pbc_bench_bench_small"


def test_bench_data_indexes_the_synthetic_members_it_adds(tiny):
    from search.models import IndexedDocument

    synthetic = Member.objects.filter(user__username__startswith="synthetic-").exclude(user__username="synthetic-viewer")

    assert IndexedDocument.objects.filter(kind="member", object_pk__in=[str(pk) for pk in synthetic.values_list("pk", flat=True)]).count() == TINY.members


def test_bench_data_run_again_leaves_the_search_index_alone(region, service_areas):
    from io import StringIO

    from django.core.management import call_command

    from search.models import IndexedDocument

    sizes = ["--members=2", "--entries=2", "--replies=2", "--documents=3", "--threads=2"]
    call_command("bench_data", *sizes, stdout=StringIO())
    indexed = dict(IndexedDocument.objects.values_list("key", "id"))

    call_command("bench_data", *sizes, stdout=StringIO())

    assert dict(IndexedDocument.objects.values_list("key", "id")) == indexed  # not deleted and written again
    assert sum(key.startswith("document:synthetic-") for key in indexed) == 3


def test_cold_start_runs_the_worker_that_serve_starts():
    from portal.management.commands.serve import Command

    assert run.worker_command(8123) == Command.web_command("127.0.0.1", 8123, 1)


def test_fanout_uses_the_redis_database_after_the_configured_one_unless_told():
    from bench.forum_fanout import own_redis_url

    assert own_redis_url("redis://127.0.0.1:6379/9") == "redis://127.0.0.1:6379/10"
    assert own_redis_url("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
    assert own_redis_url("redis://127.0.0.1:6379/9", 6) == "redis://127.0.0.1:6379/6"


def test_search_rows_report_reused_documents_without_an_indexing_rate():
    from bench import run

    rows = run.search_rows({"documents": 100_000, "index_seconds": None, "documents_per_second": None,
                            "p50_ms": 60.0, "p95_ms": 150.0}, "database")
    assert [row.median for row in rows] == ["–", "60 ms"]
    assert rows[1].met is True


class _Slow:
    """A stand-in server for the idle wait: answers /health/ slowly to the requests numbered in ``slow``, else quickly."""

    def __init__(self, slow, delay: float = 0.15):
        import http.server
        import threading

        self.asked = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.asked += 1
                if outer.asked in slow:
                    time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/health/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_then_quick():
    server = _Slow(slow={1, 2, 4, 6})  # quick answers at 3 and 5 are not yet three in a row
    yield server
    server.close()


@pytest.fixture
def always_slow():
    server = _Slow(slow=range(1, 10**9))
    yield server
    server.close()


def test_idle_wait_goes_on_only_after_several_quick_answers_in_a_row(slow_then_quick):
    waited, idle = run.wait_until_idle(slow_then_quick.url, quick_ms=100, in_a_row=3, interval=0.01, timeout=30)

    assert idle is True
    assert slow_then_quick.asked == 9  # every slow answer started the count again: 7, 8 and 9 are the three


def test_idle_wait_gives_up_at_its_bound_when_the_server_stays_busy(always_slow):
    waited, idle = run.wait_until_idle(always_slow.url, quick_ms=100, in_a_row=3, interval=0.01, timeout=1)

    assert idle is False
    assert waited >= 1


def test_idle_wait_counts_a_server_that_does_not_answer_as_busy():
    waited, idle = run.wait_until_idle(f"http://127.0.0.1:{run.free_port()}/health/", interval=0.01, timeout=0.5)

    assert idle is False


def test_web_worker_cpu_counts_the_uvicorn_process_and_its_spawned_workers_and_not_the_others():
    spin = "import time, sys\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\ntime.sleep(60)"
    # Like manage.py serve: a uvicorn process whose worker's command line does not name uvicorn (it is spawned),
    # beside a task worker. The worker and the task worker each spin 0.3 s of CPU.
    uvicorn = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {spin!r}])\ntime.sleep(60)"
    serve = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {uvicorn!r}, 'uvi' + 'corn'])\n"
        f"subprocess.Popen([sys.executable, '-c', {spin!r}, 'task-worker'])\n"
        "time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", serve])
    try:
        deadline = time.monotonic() + 30
        while len(run.process_tree(parent.pid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = run.cpu_seconds_by_pid(run.web_worker_pids(parent.pid))
        while run.cpu_seconds(run.process_tree(parent.pid)) < 0.55 and time.monotonic() < deadline:
            time.sleep(0.05)

        assert len(run.web_worker_pids(parent.pid)) == 2
        assert 0.2 <= run.cpu_used_since(before, parent.pid) + sum(before.values()) < 0.5
    finally:
        for pid in reversed(run.process_tree(parent.pid)):
            os.kill(pid, signal.SIGKILL)
        parent.wait()


def test_page_rows_give_the_web_workers_cpu_per_request_and_say_when_the_server_never_went_idle():
    pages = [("forum thread", "/forum/threads/1/", True, False)]
    result = {"p50_ms": 10000, "p95_ms": 20000, "p99_ms": 22000, "failures": 5211, "requests": 5231, "achieved_rate": 100.0,
              "errors": ["HTTP 0"], "server_cpu_ms_per_request": 51.3, "idle_after_s": 300.2, "idle_after": False}

    (row,) = run.page_rows({"forum thread": result}, pages, rate=100, duration=60)

    assert row.spread.endswith("; web workers' CPU 51.3 ms per request")
    assert "still working through this page's backlog 300 s after it" in row.notes[1]


def test_fanout_row_gives_the_server_and_bench_cpu_per_reply_beside_the_latencies():
    result = {"sockets": 1000, "p50_ms": 446, "p99_ms": 1582, "lost": 0, "duplicated": 0, "server_cpu_ms_per_reply": 157,
              "task_workers_cpu_ms_per_reply": 9, "bench_cpu_ms_per_reply": 67}

    row = run.fanout_row(result)

    assert row.spread == ("p99 1582 ms; lost 0, duplicated 0; CPU per reply: server 157 ms (task workers 9 ms), "
                          "the bench's receiving process 67 ms on the same cores")
    assert row.met is False
