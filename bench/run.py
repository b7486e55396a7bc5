"""The whole benchmark, one command, one table: ``python -m bench`` (``--quick`` for a short development run).

Needs PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``), as production does.
Steps, each printed as it starts:

1. Two databases of its own beside the one ``DATABASE_URL`` names, created if
   missing and kept between runs: ``<name>_bench_small`` with the demo region and
   *small* synthetic data, and ``<name>_bench`` at full size (10,000 members,
   5,000 matrix entries, a 1,000-reply thread, 100,000 search documents;
   ``<name>_bench_quick`` for ``--quick``).  Each is migrated and brought to its
   size by ``manage.py bench_data``, which leaves alone what is already there:
   on a prepared database this step takes seconds, not the ~15 minutes of a
   first build.
2. SQL queries per page through Django's test client, at small and at full size.
3. The portal launched in production mode with ``manage.py serve`` (2 ASGI
   workers, 1 task worker) and each page driven open-loop at a fixed arrival
   rate (100 requests/s for 60 s) by ``bench/load.py`` (Locust's client):
   p50/p95/p99 and errors.  Pages that need a member are fetched with a
   signed-in session of the synthetic viewer.  Before each page the runner
   waits (up to ``--idle-timeout``) until ``/health/`` answers quickly again,
   so no page inherits the previous page's backlog, and each page's row gives
   the uvicorn workers' CPU per request (from ``/proc``).
4. Cold start of one worker: process start → first successful response (median of 3), for the
   ASGI worker process ``serve`` starts, and for the whole ``manage.py serve`` launch.
5. The other scripts, each printing one final JSON line that this runner reads:
   ``bench/forum_fanout.py``, ``bench/events_bookings.py``, ``bench/search_bench.py``
   (database and Elasticsearch-API backends).

Then it prints one table (figure, median, p95/p99, target, ratio to target,
met/missed) and, with ``--write-results``, puts it into bench/RESULTS.md with
the date, machine and load average.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "RESULTS.md"
START_MARK, END_MARK = "<!-- latest run: written by python -m bench --write-results -->", "<!-- end of latest run -->"

FULL = {"members": 10_000, "entries": 5_000, "replies": 1_000, "documents": 100_000, "threads": 1_000}
SMALL = {"members": 100, "entries": 50, "replies": 10, "documents": 1_000, "threads": 20}
QUICK = {"members": 1_000, "entries": 500, "replies": 100, "documents": 5_000, "threads": 100}

# (figure, path, signed in, cached for anonymous visitors); paths are filled in from the data.
PAGES = [
    ("home", "/", False, True),
    ("guidance page", None, False, True),
    ("directory list", "/directory/", True, False),
    ("event list", "/events/", False, False),
    ("re-design matrix", "/redesign/", True, False),
    ("forum thread (last page)", None, True, False),
    ("search", "/search/?q=dermatology+business+case", True, False),
]
CACHED_P95_MS, OTHER_P95_MS = 50, 150


@dataclass
class Row:
    figure: str
    median: str
    spread: str  # "p95 … / p99 …" or a note
    target: str
    ratio: float | None  # measured / target, where lower is better; None when not comparable
    met: bool | None
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- database and data ----------------------------------------------------------------------------------
def bench_database_url(database_url: str, suffix: str = "_bench") -> str:
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{parts.path.strip('/')}{suffix}"))


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.strip("/")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.strip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str, env: dict | None = None, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env or os.environ.copy(), check=True,
                          capture_output=capture, text=True)


def prepare_database(url: str, sizes: dict) -> float:
    """Create, migrate and fill the database at ``url`` to ``sizes``; seconds taken (short when already there)."""
    started = time.perf_counter()
    ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url}
    manage("migrate", "--noinput", "-v0", env=env)
    manage("bench_data", *(f"--{name}={value}" for name, value in sizes.items()), env=env)
    return time.perf_counter() - started


def count_queries_in(url: str) -> dict[str, int]:
    """``count_queries`` on the database at ``url``, in a process of its own (Django binds one database per process)."""
    code = "import json; from bench import run; print(json.dumps(run.count_queries(run.page_paths())))"
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                            check=True, capture_output=True, text=True)
    return last_json_line(result.stdout)


# --- queries per page ---------------------------------------------------------------------------------------------
def page_paths() -> list[tuple[str, str, bool, bool]]:
    """PAGES with the guidance page and the last page of the synthetic thread found in the data."""
    import django

    django.setup()
    from django.db import connections

    from forum.queries import REPLIES_PER_PAGE
    from portal.guidance.models import GuidancePage
    from portal.site.synthetic import synthetic_thread

    guidance = GuidancePage.objects.live().public().filter(audience="public").order_by("pk").first()
    thread = synthetic_thread()
    last_page = max(1, -(-thread.replies.count() // REPLIES_PER_PAGE))
    filled = {"guidance page": guidance.url, "forum thread (last page)": f"/forum/threads/{thread.pk}/?page={last_page}"}
    connections.close_all()
    return [(figure, path or filled[figure], signed_in, cached) for figure, path, signed_in, cached in PAGES]


def count_queries(pages) -> dict[str, int]:
    """Queries each page makes when nothing is cached, through Django's test client."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.core import fragments
    from portal.site.synthetic import synthetic_viewer

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    anonymous, member = Client(), Client()
    member.force_login(synthetic_viewer().user)
    for _, path, signed_in, _ in pages:  # warm up: first-use lookups (site root, settings) are not per page
        (member if signed_in else anonymous).get(path)
    counts = {}
    for figure, path, signed_in, _ in pages:
        client = member if signed_in else anonymous
        forget_cached_pages()  # count what rendering the page costs, not a cache hit:
        fragments.forget_all()  # neither the whole page nor its cached fragments
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{figure}: {path} answered HTTP {response.status_code}")
        counts[figure] = len(queries.captured_queries)
    return counts


def close_connections() -> None:
    """Before manage.py or the server runs: this process holds no connection meanwhile."""
    from django.db import connections

    connections.close_all()


def forget_cached_pages() -> None:
    try:
        from portal.core.page_cache import forget_cached_pages as forget
    except ImportError:  # no page cache
        return
    forget()


def member_session_cookie() -> str:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    from portal.site.accounts import SESSION_BACKEND
    from portal.site.synthetic import synthetic_viewer

    user = synthetic_viewer().user
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = SESSION_BACKEND  # as a real sign-in records it (the user read with the member row)
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    connections.close_all()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


# --- the server --------------------------------------------------------------------------------------------------------
def production_env(database_url: str) -> dict:
    """The server's environment: production mode once ``manage.py serve`` (which brings its static-files fix) exists."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_MODE": "production" if has_serve_command() else "embedded",
        "SECRET_KEY": os.environ["SECRET_KEY"],  # the runner's too: it signs the load generator's session
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback; a proxy terminates TLS in production
        "EMAIL_URL": "locmem://",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "LOG_LEVEL": "ERROR",
    }


def has_serve_command() -> bool:
    return (ROOT / "portal" / "management" / "commands" / "serve.py").exists()


def server_command(port: int, workers: int, task_workers: int) -> list[str]:
    if has_serve_command():
        return [PYTHON, "manage.py", "serve", "--workers", str(workers), "--task-workers", str(task_workers),
                "--bind", f"127.0.0.1:{port}", "--no-collectstatic"]
    # Until ``manage.py serve`` exists: the same uvicorn launch it makes.
    return [PYTHON, "-m", "uvicorn", "portal.site.asgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--lifespan", "off", "--log-level", "warning"]


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 300.0, interval: float = 0.02) -> float:
    """Seconds until ``url`` answers 200 (polling every ``interval`` s); raises if the process dies or time runs out."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(interval)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def wait_until_idle(url: str, *, quick_ms: float = 250.0, in_a_row: int = 5, timeout: float = 300.0,
                    interval: float = 0.2) -> tuple[float, bool]:
    """Poll ``url`` until it answers 200 within ``quick_ms`` ``in_a_row`` times running; (seconds waited, idle?).

    An open-loop page the server cannot keep up with leaves a queue behind it:
    the client gives up on its requests after 10 s, but the workers go on
    serving them (holding database connections) long after the page's minute
    ends.  Without this wait the next page is measured against that backlog
    (seen at 04:36: the search page's 500s, "couldn't get a connection after
    10.00 sec", came from the forum thread's queue).  Gives up after
    ``timeout`` seconds and says so, so a server that never recovers does not
    stop the run.
    """
    started = time.perf_counter()
    quick = 0
    while quick < in_a_row:
        if time.perf_counter() - started > timeout:
            return time.perf_counter() - started, False
        asked = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=max(quick_ms / 1000, 10)) as response:
                ok = response.status == 200
        except (urllib.error.URLError, OSError):
            ok = False
        quick = quick + 1 if ok and (time.perf_counter() - asked) * 1000 <= quick_ms else 0
        if quick < in_a_row:
            time.sleep(interval)
    return time.perf_counter() - started, True


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux ``/proc``); those that have gone are left out."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid, *(descendant for child in children for descendant in process_tree(int(child)))]


def web_worker_pids(server_pid: int) -> list[int]:
    """The uvicorn processes under the server ``server_pid``: its supervisor and the ASGI workers it spawned.

    The workers' own command line is multiprocessing's (``spawn_main``), so
    they are found as the uvicorn process's descendants; the task workers are
    not counted.
    """
    pids = []
    for pid in process_tree(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "uvicorn" in command and pid not in pids:
            pids += [descendant for descendant in process_tree(pid) if descendant not in pids]
    return pids


def cpu_seconds_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds each of ``pids`` has used so far; processes that have gone are left out."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds ``pids`` have used so far; a process that has gone counts 0."""
    return sum(cpu_seconds_by_pid(pids).values())


def cpu_used_since(before: dict[int, float], server_pid: int) -> float:
    """CPU seconds the server's uvicorn processes used since ``before`` (``cpu_seconds_by_pid``).

    Read afresh, so a worker uvicorn started meanwhile counts from zero (one that died takes its share with it).
    """
    now = cpu_seconds_by_pid(web_worker_pids(server_pid))
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_command(port: int) -> list[str]:
    """The ASGI worker process that ``manage.py serve --workers 1`` starts (after its service checks), on its own."""
    if has_serve_command():
        from portal.management.commands.serve import Command

        return Command.web_command("127.0.0.1", port, 1)
    return server_command(port, 1, 0)


def start_server(env: dict, workers: int, task_workers: int, log_name: str,
                 command_for=None) -> tuple[subprocess.Popen, int, float]:
    """Start the server (``command_for(port)``, by default ``manage.py serve``); seconds until ``/`` answers 200."""
    port = free_port()
    command = command_for(port) if command_for else server_command(port, workers, task_workers)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=open(f"/tmp/bench_{log_name}_{port}.log", "w"))
    try:
        seconds = wait_until_answering(f"http://127.0.0.1:{port}/", process)
    except RuntimeError as error:
        stop(process)
        raise SystemExit(f"{shlex.join(command)}: {error} (log: /tmp/bench_{log_name}_{port}.log)") from None
    return process, port, seconds


# --- measurements -------------------------------------------------------------------------------------------------------
def last_json_line(output: str) -> dict:
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON result line in the output")


def run_script(args: list[str], env: dict, timeout: float) -> dict:
    """Run one of the bench scripts; its last JSON line is the result (or an error entry)."""
    log("  " + shlex.join(args))
    try:
        result = subprocess.run([PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    try:
        return last_json_line(result.stdout)
    except ValueError:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {result.returncode}: " + " | ".join(tail)}


def drive_page(port: int, path: str, rate: float, duration: float, cookie: str) -> dict:
    args = ["bench/load.py", "--host", f"http://127.0.0.1:{port}", "--path", path, "--rate", str(rate),
            "--duration", str(duration)]
    if cookie:
        args += ["--cookie", cookie]
    return run_script(args, os.environ.copy(), timeout=duration + 120)


def drive_pages(process: subprocess.Popen, port: int, pages, rate: float, duration: float, cookie: str,
                idle_timeout: float = 300.0) -> dict[str, dict]:
    """Drive each page in turn, each on an idle server; add the web workers' CPU per request to each result.

    Before each page the runner waits until ``/health/`` answers quickly again
    (``wait_until_idle``), so no page is measured against the previous page's
    backlog.  The CPU is the uvicorn processes' (``/proc``) from just before a
    page until the server is idle after it, divided by the requests sent:
    the backlog's work counts to the page that caused it.  It depends far
    less on the machine's load than the latencies do.
    """
    health = f"http://127.0.0.1:{port}/health/"
    results: dict[str, dict] = {}
    waited, idle = wait_until_idle(health, timeout=idle_timeout)
    log(f"server idle after {waited:.1f} s" if idle else f"server still busy after {waited:.0f} s: going on anyway")
    for figure, path, signed_in, _ in pages:
        log(f"page {figure}: {path} at {rate:g}/s for {duration:g} s")
        before = cpu_seconds_by_pid(web_worker_pids(process.pid))
        result = drive_page(port, path, rate, duration, cookie if signed_in else "")
        waited, idle = wait_until_idle(health, timeout=idle_timeout)
        used = cpu_used_since(before, process.pid)
        log(f"  {result}")
        log(f"  web workers' CPU {used:.1f} s; server idle again after {waited:.1f} s"
            if idle else f"  web workers' CPU {used:.1f} s so far; server still busy after {waited:.0f} s: going on anyway")
        if "error" not in result:
            result["server_cpu_ms_per_request"] = round(used * 1000 / max(result["requests"], 1), 1)
            result["idle_after_s"] = round(waited, 1)
            result["idle_after"] = idle
        results[figure] = result
    return results


def page_rows(results: dict[str, dict], pages, rate: float, duration: float) -> list[Row]:
    rows = []
    for figure, path, _, cached in pages:
        result = results[figure]
        target = CACHED_P95_MS if cached else OTHER_P95_MS
        name = f"page {figure} ({'cached, ' if cached else ''}{rate:g}/s for {duration:g} s)"
        if "error" in result:
            rows.append(Row(name, "–", result["error"], f"p95 ≤ {target} ms, 0 errors", None, False))
            continue
        errors = result["failures"]
        cpu = result.get("server_cpu_ms_per_request")
        notes = [f"{figure}: {', '.join(result['errors'])}"] if result["errors"] else []
        if result.get("idle_after") is False:
            notes.append(f"{figure}: the server was still working through this page's backlog "
                         f"{result['idle_after_s']:.0f} s after it; the next page was driven anyway")
        rows.append(Row(
            name, f"{result['p50_ms']:.0f} ms", f"p95 {result['p95_ms']:.0f} / p99 {result['p99_ms']:.0f} ms; "
            f"{errors} errors of {result['requests']}; {result['achieved_rate']:g}/s sent"
            + (f"; web workers' CPU {cpu:.1f} ms per request" if cpu is not None else ""),
            f"p95 ≤ {target} ms, 0 errors", result["p95_ms"] / target, result["p95_ms"] <= target and errors == 0,
            notes,
        ))
    return rows


def query_rows(small: dict[str, int], large: dict[str, int], sizes: dict) -> list[Row]:
    return [
        Row(f"SQL queries, {figure}", f"{small[figure]} → {large[figure]}",
            f"small data → {sizes['members']:,} members / {sizes['entries']:,} entries / {sizes['replies']:,} replies",
            "equal", large[figure] / max(small[figure], 1), small[figure] == large[figure])
        for figure in small
    ]


def cold_start(env: dict, repeat: int) -> list[Row]:
    """Process start → first 200 of ``/``: one ASGI worker (the target), and the whole ``manage.py serve`` launch.

    The launch adds what ``serve`` does once before it starts any worker (a Django start of its own and the
    service checks); a worker that uvicorn restarts, or one more worker, pays only the first figure.
    """
    worker, launch = [], []
    for _ in range(repeat):
        process, _, seconds = start_server(env, 1, 0, "cold", command_for=worker_command)
        worker.append(seconds)
        stop(process)
        process, _, seconds = start_server(env, 1, 0, "launch")
        launch.append(seconds)
        stop(process)
    median, launch_median = statistics.median(worker), statistics.median(launch)
    return [
        Row("cold start of one worker (process start → first 200)", f"{median:.2f} s",
            "runs: " + ", ".join(f"{t:.2f}" for t in worker) + " s", "≤ 3 s", median / 3, median <= 3),
        Row("production launch, manage.py serve --workers 1 (start → first 200)", f"{launch_median:.2f} s",
            "runs: " + ", ".join(f"{t:.2f}" for t in launch) + " s", "(no target)", None, None),
    ]


def fanout_row(result: dict) -> Row:
    name = f"websocket fan-out, post → delivery ({result.get('sockets', '?')} sockets, 2 workers)"
    if "error" in result:
        return Row(name, "–", result["error"], "p99 ≤ 250 ms, 0 lost", None, False)
    ok = result["p99_ms"] <= 250 and result["lost"] == 0 and result["duplicated"] == 0
    cpu = ""
    if result.get("server_cpu_ms_per_reply") is not None:  # steadier than the latencies on a busy machine
        cpu = f"; CPU per reply: server {result['server_cpu_ms_per_reply']} ms"
        if result.get("task_workers_cpu_ms_per_reply") is not None:
            cpu += f" (task workers {result['task_workers_cpu_ms_per_reply']} ms)"
        if result.get("bench_cpu_ms_per_reply") is not None:
            cpu += f", the bench's receiving process {result['bench_cpu_ms_per_reply']} ms on the same cores"
    return Row(name, f"{result['p50_ms']:.0f} ms", f"p99 {result['p99_ms']:.0f} ms; lost {result['lost']}, "
               f"duplicated {result['duplicated']}{cpu}", "p99 ≤ 250 ms, 0 lost", result["p99_ms"] / 250, ok)


def booking_rows(result: dict) -> list[Row]:
    name = f"bookings: {result.get('requests', '?')} concurrent requests on {result.get('capacity', '?')} places"
    if "error" in result:
        return [Row(name, "–", result["error"], "exactly the capacity confirmed", None, False)]
    return [
        Row(name, f"{result['confirmed']} confirmed", f"{result['waitlisted']} waiting, {result['errors']} errors",
            f"exactly {result['capacity']} confirmed", None, result["confirmed"] == result["capacity"] and not result["errors"]),
        Row("bookings per minute", f"{result['bookings_per_minute']:,.0f}", f"wall time {result['seconds']:.1f} s",
            "≥ 1,000/min", 1000 / max(result["bookings_per_minute"], 1e-9), result["bookings_per_minute"] >= 1000),
    ]


def search_rows(result: dict, backend: str) -> list[Row]:
    target = 100 if backend == "elasticsearch" else 200
    label = "Elasticsearch API (OpenSearch 2.19)" if backend == "elasticsearch" else "embedded (PostgreSQL full-text)"
    if "error" in result:
        return [Row(f"search, {label}", "–", result["error"], f"query p95 ≤ {target} ms", None, False)]
    if result.get("documents_per_second") is None:  # --reuse: the documents were already indexed
        indexing = Row(f"search indexing, {label}", "–", "not measured: documents reused", "(no target)", None, None)
    else:
        indexing = Row(f"search indexing, {label}", f"{result['documents_per_second']:,.0f} docs/s",
                       f"{result['documents']:,} documents in {result['index_seconds']:.0f} s", "(no target)", None, None)
    return [
        indexing,
        Row(f"search query, {label}, {result['documents']:,} documents", f"{result['p50_ms']:.0f} ms",
            f"p95 {result['p95_ms']:.0f} ms", f"p95 ≤ {target} ms", result["p95_ms"] / target, result["p95_ms"] <= target),
    ]


# --- the table -----------------------------------------------------------------------------------------------------------
def format_table(rows: list[Row]) -> str:
    lines = ["| figure | median | p95 / p99 (and detail) | target | ratio to target | met |", "|---|---|---|---|---|---|"]
    for row in rows:
        ratio = "–" if row.ratio is None else f"{row.ratio:.2f}"
        met = "–" if row.met is None else ("met" if row.met else "**missed**")
        lines.append(f"| {row.figure} | {row.median} | {row.spread} | {row.target} | {ratio} | {met} |")
    return "\n".join(lines)


def machine() -> str:
    memory = "?"
    try:
        kib = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores, {memory} memory, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def write_results(report: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    block = f"{START_MARK}\n{report}\n{END_MARK}"
    if START_MARK in text and END_MARK in text:
        before, rest = text.split(START_MARK, 1)
        text = before + block + rest.split(END_MARK, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


# --- main ----------------------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="development run: 1,000 members, 500 entries, 100 replies, 5,000 documents, 10 s per page, "
                             "200 sockets, 1 cold start")
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second per page (default 100)")
    parser.add_argument("--duration", type=float, help="seconds of load per page (default 60; 10 with --quick)")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out: pages,queries,cold,fanout,bookings,search; "
                             "static reuses the static files collected by the previous run")
    parser.add_argument("--elasticsearch-documents", type=int,
                        help="documents for the Elasticsearch-API search step (default: the same as the embedded one, "
                             "100,000, into the tests' single-node OpenSearch with a 1 GB heap)")
    parser.add_argument("--idle-timeout", type=float, default=300.0,
                        help="longest wait, in seconds, for the server to work through one page's backlog before the "
                             "next page (default 300)")
    parser.add_argument("--write-results", action="store_true", help="put the report into bench/RESULTS.md")
    args = parser.parse_args(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    sizes = QUICK if args.quick else FULL
    duration = args.duration or (10.0 if args.quick else 60.0)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark measures the production shape.")
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    load_before = load_average()
    began = time.perf_counter()

    url = bench_database_url(database_url, "_bench_quick" if args.quick else "_bench")
    small_url = bench_database_url(database_url, "_bench_small")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    rows: list[Row] = []
    if "queries" not in skip:
        log(f"database {database_name(small_url)}: migrating, demo region and small synthetic data {SMALL}")
        log(f"  ready in {prepare_database(small_url, SMALL):.0f} s")
        small = count_queries_in(small_url)
        log(f"queries at small data: {small}")
    log(f"database {database_name(url)}: migrating, demo region and {'quick' if args.quick else 'full'}-size synthetic data {sizes}")
    log(f"  ready in {prepare_database(url, sizes):.0f} s")
    os.environ["DATABASE_URL"] = url  # this process, manage.py and the server all use the benchmark's database
    pages = page_paths()
    if "queries" not in skip:
        large = count_queries_in(url)
        log(f"queries at {'quick' if args.quick else 'full'} size: {large}")
        rows += query_rows(small, large, sizes)

    env = production_env(url)
    if ("pages" not in skip or "cold" not in skip) and "static" not in skip:
        log("collecting static files for production mode")
        manage("collectstatic", "--noinput", "-v0", env=env)
    if "pages" not in skip:
        cookie = member_session_cookie()
        process, port, seconds = start_server(env, workers=2, task_workers=1, log_name="pages")
        log(f"portal answering on port {port} after {seconds:.1f} s: {shlex.join(server_command(port, 2, 1))}")
        results = {}
        try:
            results = drive_pages(process, port, pages, args.rate, duration, cookie, args.idle_timeout)
        finally:
            stop(process)
        rows = page_rows(results, pages, args.rate, duration) + rows
    if "cold" not in skip:
        log("cold start of one worker")
        rows += cold_start(env, repeat=1 if args.quick else 3)

    ensure_database(database_url)  # the scripts connect to it to make their own throwaway databases
    script_env = {**os.environ, "DATABASE_URL": database_url}
    if "fanout" not in skip:
        log("websocket fan-out")
        sockets = 200 if args.quick else 1000
        rows.append(fanout_row(run_script(["bench/forum_fanout.py", "--sockets", str(sockets), "--replies", "5" if args.quick else "20"],
                                          script_env, timeout=900)))
    if "bookings" not in skip:
        log("bookings")
        rows += booking_rows(run_script(["bench/events_bookings.py"], script_env, timeout=600))
    if "search" not in skip:
        for backend in ("database", "elasticsearch"):
            log(f"search, {backend} backend")
            count = sizes["documents"] if backend == "database" else (args.elasticsearch_documents or sizes["documents"])
            # OpenSearch at 100,000 documents: the engine's start, the indexing, then the queries
            result = run_script(["bench/search_bench.py", "--backend", backend, "--count", str(count)],
                                script_env, timeout=3600 if backend == "elasticsearch" else 1800)
            rows += search_rows(result, backend)

    notes = [note for row in rows for note in row.notes]
    report = "\n".join([
        f"Run {datetime.now(timezone.utc).strftime('%-d %B %Y, %H:%M UTC')} on {machine()}; "
        f"load average before {load_before}, after {load_average()} (1, 5, 15 min); {time.perf_counter() - began:.0f} s in all.",
        "",
        f"    {command}",
        "",
        f"Server: `{shlex.join(server_command(0, 2, 1)).replace(' 0', ' PORT').replace(':0', ':PORT').replace(PYTHON, 'python')}` "
        f"in {'production' if has_serve_command() else 'embedded'} mode on PostgreSQL and Redis.",
        "",
        format_table(rows),
        *([""] + [f"- {note}" for note in notes] if notes else []),
    ])
    print()
    print(report)
    if args.write_results:
        write_results(report)
        log(f"written to {RESULTS.relative_to(ROOT)}")
