"""Forum fan-out: time from posting a reply to its delivery on 1,000 open thread pages across two workers.

Needs the production shape: PostgreSQL (``DATABASE_URL``) and Redis
(``REDIS_URL``).  Creates a throwaway database ``bench_<name>`` of whatever
``DATABASE_URL`` names, a board, a thread and a set of members with real
sessions, starts the production launch ``manage.py serve --workers 2`` (two
uvicorn processes on one port, sharing the database and Redis; the kernel
spreads the connections), opens N websockets (each with a session cookie and
an Origin header, through the full ASGI stack),
then posts R replies through ``forum.services.post_reply`` one after another.
For each reply and socket it records post → receipt latency and counts
messages lost (never received within the timeout) and duplicated (received
more than once).  Prints p50, p95, p99 and max in milliseconds, then one JSON line of the results.

Run from the repository root:

    . .venv/bin/activate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_forum REDIS_URL=redis://127.0.0.1:6379/4 \
      CHANNEL_PREFIX=forum-bench CACHE_KEY_PREFIX=forum-bench python bench/forum_fanout.py

Background tasks run as in production: this process and the server are in
production mode (``PORTAL_MODE=production``, a fresh random ``SECRET_KEY``
shared by both), so ``post_reply`` records its search re-index of the thread in
the outbox and puts it on the queue after commit, and ``serve`` starts one task
worker that does it (``--task-workers``, default 1), sharing the two cores with
the web workers as it would in production.  ``--inline-tasks`` runs them the
way the bench did before: the embedded task backend in this process, so the
re-index (every reply's text) runs inside ``post_reply``, in the same process
and under the same GIL as the 1,000 receiving sockets.

``--fixed-layer`` runs the workers with ``bench/forum_fanout_settings.py``: the
channel layer's Redis connections without redis-py 8's default 5-second socket
timeout, which otherwise races channels-redis's 5-second BZPOPMIN and kills
idle workers' sockets (redis/redis-py#4091).

Options: ``--sockets N`` (default 1000), ``--replies R`` (default 20), ``--members M`` (default 50),
``--connect-batch B`` (sockets opened at once, default 20).  Server errors go to
``/tmp/forum_fanout_<port>.log``.

Redis: the run uses a Redis database of its own for the channel layer and the
cache, ``--redis-db N``, by default the database after the one ``REDIS_URL``
names (``redis://…/9`` → ``redis://…/10``), with key prefixes unique to the run.
A test suite on ``REDIS_URL`` calls ``cache.clear()`` (``FLUSHDB``), which would
otherwise wipe the channel layer's group memberships mid-run and lose every
delivery after it.  Nothing is flushed in the run's own database either.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import re
from collections import Counter
from pathlib import Path

FIXED_LAYER = False
INLINE_TASKS = False
TASK_WORKERS = 1
MARKER = re.compile(r"bench-(\d+)-end")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, workers: int) -> tuple[int, subprocess.Popen]:
    """The production launch: ``manage.py serve`` with ``workers`` uvicorn processes sharing one port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    if FIXED_LAYER:
        env["DJANGO_SETTINGS_MODULE"] = "bench.forum_fanout_settings"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--workers", str(workers), "--task-workers", str(0 if INLINE_TASKS else TASK_WORKERS),
         "--bind", f"127.0.0.1:{port}", "--no-collectstatic"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(f"/tmp/forum_fanout_{port}.log", "w"),
    )
    deadline = time.monotonic() + 300  # a loaded machine takes minutes to start two workers
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            return port, process
        except urllib.error.HTTPError:
            return port, process
        except OSError:
            time.sleep(0.3)
    process.terminate()  # serve stops its uvicorn (its own process group) on SIGTERM
    process.wait(timeout=60)
    raise SystemExit(f"manage.py serve on port {port} did not start")


def production_env() -> dict[str, str]:
    """What this process and the server need to run in production mode on the loopback (tasks on the queue)."""
    import secrets

    return {
        "PORTAL_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # signs the sessions this process makes for the server
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback; a proxy terminates TLS in production
        "EMAIL_URL": "locmem://",
        "LOG_LEVEL": "ERROR",
    }


def task_workers_cpu_seconds(pid: int) -> float:
    """CPU seconds so far of the ``task_worker`` processes (and their children) under ``pid``."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    if b"task_worker" in command:
        return process_tree_cpu_seconds(pid)
    return sum(task_workers_cpu_seconds(int(child)) for child in children)


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants so far (Linux ``/proc``); 0 where unreadable.

    The server's CPU per reply does not depend on how busy the machine is, unlike the latencies.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, ValueError, IndexError):
        return 0.0
    return seconds + sum(process_tree_cpu_seconds(int(child)) for child in children)


def own_redis_url(redis_url: str, database: int | None = None) -> str:
    """``redis_url`` pointed at ``database``, or at the database after the one it names (1 when it names none)."""
    parts = urllib.parse.urlsplit(redis_url)
    if database is None:
        named = parts.path.strip("/")
        database = int(named) + 1 if named.isdigit() else 1
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


def reply_number(frame: str) -> int | None:
    """The bench reply a thread page's websocket frame announces (its ``bench-N-end`` marker), or None.

    Read from the frame as it came, without decoding the JSON: the 1,000
    sockets share this process's one core with ``post_reply``, and decoding
    every frame would delay the next receipt.
    """
    if '"reply.posted"' not in frame:
        return None
    marker = MARKER.search(frame)
    return int(marker.group(1)) if marker else None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes behind manage.py serve (default 2)")
    parser.add_argument("--connect-batch", type=int, default=20, help="sockets opened at once (a stampede of 100 times out Redis reads)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the last delivery of each reply")
    parser.add_argument("--fixed-layer", action="store_true",
                        help="run the workers with the channel layer's Redis socket timeout off (bench/forum_fanout_settings.py)")
    parser.add_argument("--redis-db", type=int, help="Redis database for the run's channel layer and cache "
                        "(default: the one after REDIS_URL's, so a test suite's cache.clear() cannot flush it mid-run)")
    parser.add_argument("--inline-tasks", action="store_true",
                        help="run background tasks inline, in this process and the server (the embedded task backend), "
                             "as the bench did before: the post's search re-index then runs inside post_reply")
    parser.add_argument("--task-workers", type=int, default=1, help="task workers serve starts (default 1; none with --inline-tasks)")
    args = parser.parse_args()
    global FIXED_LAYER, INLINE_TASKS, TASK_WORKERS
    FIXED_LAYER, INLINE_TASKS, TASK_WORKERS = args.fixed_layer, args.inline_tasks, args.task_workers
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: fan-out across workers needs the shared services.")

    # This process and the server it starts (which inherits the environment) use the run's own Redis database.
    os.environ["REDIS_URL"] = own_redis_url(os.environ["REDIS_URL"], args.redis_db)
    os.environ["CHANNEL_PREFIX"] = os.environ["CACHE_KEY_PREFIX"] = f"fanout-{os.getpid()}"
    print(f"Redis for this run: {os.environ['REDIS_URL']} (prefix {os.environ['CHANNEL_PREFIX']})", flush=True)
    if not INLINE_TASKS:
        os.environ.update(production_env())
    print(f"background tasks: {'inline (embedded task backend)' if INLINE_TASKS else f'on the queue, {TASK_WORKERS} task worker(s)'}")
    if FIXED_LAYER:
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.forum_fanout_settings"  # this process's layer too
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.FORUM_POSTS_PER_WINDOW = 10**9  # the benchmark measures delivery, not the rate limit
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "bench_" + connection.settings_dict["NAME"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    bench_url = urllib.parse.urlunsplit(urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"]))
    servers = []
    try:
        sessions, thread, poster = build_fixture(args.members)
        servers = [start_server(bench_url, args.workers)]
        ports = [port for port, _ in servers]
        print(f"channel layer: {'socket timeout off (--fixed-layer)' if FIXED_LAYER else 'portal settings as they are'}")
        print(f"{args.sockets} sockets on manage.py serve --workers {args.workers} (port {ports[0]}, pid {servers[0][1].pid}), "
              f"{args.replies} replies, {args.members} members", flush=True)
        result = asyncio.run(run(args, ports, sessions, thread, poster, [process for _, process in servers]))
        report(args, *result)
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def build_fixture(member_count: int):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from directory.models import Member
    from forum.models import Board, Subsection
    from forum.services import post_thread
    from portal.core.roles import Role, grant_role, sync_roles

    sync_roles()
    User = get_user_model()
    members = []
    for n in range(member_count):
        user = User.objects.create_user(username=f"bench{n}", email=f"bench{n}@example.nhs.uk", password="x", first_name="Bench", last_name=str(n))
        members.append(Member.objects.create(user=user, status=Member.Status.APPROVED, job_role="gp"))
        grant_role(user, Role.MEMBER)
    sessions = []
    for member in members:
        store = SessionStore()
        store[SESSION_KEY] = str(member.user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    board = Board.objects.create(subsection=Subsection.objects.create(name="Bench"), name="Bench board")
    thread = post_thread(members[0], board, title="Fan-out benchmark", body="Watching this thread.")
    return sessions, thread, members[0]


async def run(args, ports, sessions, thread, poster, server_processes=()):
    from asgiref.sync import sync_to_async
    from websockets.asyncio.client import connect

    from forum.services import post_reply

    received: dict[int, Counter] = {}  # reply number -> socket index -> count
    latencies: list[float] = []
    posted_at: dict[int, float] = {}  # reply number -> time the post started

    async def open_socket(index: int):
        port = ports[index % len(ports)]
        return await connect(
            f"ws://127.0.0.1:{port}/ws/forum/threads/{thread.pk}/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={sessions[index % len(sessions)]}"},
            open_timeout=60, ping_interval=None, max_queue=None,
        )

    started = time.perf_counter()
    sockets = []
    step = args.connect_batch
    for batch_start in range(0, args.sockets, step):
        sockets += await asyncio.gather(*(open_socket(i) for i in range(batch_start, min(batch_start + step, args.sockets))))
    print(f"opened {len(sockets)} sockets in {time.perf_counter() - started:.1f} s")

    async def listen(index: int, ws) -> None:
        try:
            async for raw in ws:
                now = time.perf_counter()
                number = reply_number(raw)
                if number is None:
                    continue
                t0 = posted_at[number]
                counts = received.setdefault(number, Counter())
                counts[index] += 1
                if counts[index] == 1:
                    latencies.append((now - t0) * 1000)
        except Exception:  # closed at the end
            pass

    listeners = [asyncio.create_task(listen(i, ws)) for i, ws in enumerate(sockets)]
    server_cpu_before = sum(process_tree_cpu_seconds(process.pid) for process in server_processes)
    tasks_cpu_before = sum(task_workers_cpu_seconds(process.pid) for process in server_processes)
    bench_cpu_before = time.process_time()
    post_cpu: list[float] = []  # CPU seconds of post_reply's own thread (with any task it runs inline)

    def timed_post_reply(*args, **kwargs):
        started = time.thread_time()
        try:
            return post_reply(*args, **kwargs)
        finally:
            post_cpu.append(time.thread_time() - started)

    post = sync_to_async(timed_post_reply, thread_sensitive=True)
    post_times: list[float] = []
    for number in range(args.replies):
        # Deliveries can arrive before post_reply returns, so each reply is
        # recognised by a marker in its text rather than by its id.
        posted_at[number] = time.perf_counter()
        await post(poster, thread, body=f"Reply bench-{number}-end")
        post_times.append((time.perf_counter() - posted_at[number]) * 1000)
        deadline = time.perf_counter() + args.timeout
        while len(received.get(number, ())) < len(sockets) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
    await asyncio.sleep(0.5)  # let any duplicates arrive
    server_cpu = sum(process_tree_cpu_seconds(process.pid) for process in server_processes) - server_cpu_before
    tasks_cpu = sum(task_workers_cpu_seconds(process.pid) for process in server_processes) - tasks_cpu_before
    bench_cpu = time.process_time() - bench_cpu_before
    print(f"server CPU while replying: {server_cpu:.2f} s, {server_cpu * 1000 / args.replies:.0f} ms per reply "
          f"(of which task workers {tasks_cpu * 1000 / args.replies:.0f} ms)")
    # The receiving sockets live in this process, on the same two cores as the server: their CPU is the bench's
    # cost, not the portal's, but it delays deliveries all the same.
    print(f"this process's CPU while replying: {bench_cpu * 1000 / args.replies:.0f} ms per reply, of which post_reply's "
          f"thread {sum(post_cpu) * 1000 / args.replies:.0f} ms and the 1,000 receiving sockets the rest")
    cpu = {"server_cpu_ms_per_reply": round(server_cpu * 1000 / args.replies),
           "task_workers_cpu_ms_per_reply": round(tasks_cpu * 1000 / args.replies),
           "bench_cpu_ms_per_reply": round(bench_cpu * 1000 / args.replies),
           "post_reply_cpu_ms_per_reply": round(sum(post_cpu) * 1000 / args.replies)}
    closes = Counter(str(ws.close_code) for ws in sockets)
    print("socket state before closing (close code: count):", dict(closes))
    for ws in sockets:
        await ws.close()
    for task in listeners:
        task.cancel()
    from django.db import connections

    await sync_to_async(connections.close_all, thread_sensitive=True)()
    print(f"post_reply itself (write, commit, broadcast to Redis) ms: p50 {percentile(post_times, 50):.1f}  max {max(post_times):.1f}")
    print("delivered per reply:", [len(received.get(n, ())) for n in range(args.replies)])
    expected = args.replies * len(sockets)
    delivered = sum(len(c) for c in received.values())
    duplicated = sum(n - 1 for c in received.values() for n in c.values() if n > 1)
    return expected, delivered, duplicated, latencies, cpu


def report(args, expected: int, delivered: int, duplicated: int, latencies: list[float], cpu: dict) -> None:
    print(f"deliveries expected {expected}, delivered {delivered}, lost {expected - delivered}, duplicated {duplicated}")
    if latencies:
        print(
            f"post → delivery ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
            f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
        )
    # The last line is for ``python -m bench``, which reads it.
    print(json.dumps({
        "sockets": args.sockets, "replies": args.replies, "expected": expected, "delivered": delivered,
        "lost": expected - delivered, "duplicated": duplicated,
        **{f"p{p}_ms": round(percentile(latencies, p), 1) if latencies else None for p in (50, 95, 99)},
        "max_ms": round(max(latencies), 1) if latencies else None,
        **cpu,
    }))


if __name__ == "__main__":
    main()
