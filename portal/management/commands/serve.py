"""Production launch: static files, N ASGI workers and M background-task workers, stopped together.

    python manage.py serve --workers 4 --task-workers 2 --bind 127.0.0.1:8000

Checks every configured service first (the same checks as ``/health/``) and
exits with a message naming the one that does not answer.  Then it collects
the static files (hashed and compressed in production, served by ServeStatic
with far-future cache headers), starts uvicorn with N worker processes on
``portal.site.asgi`` and M ``task_worker`` processes, and waits.  SIGTERM or
SIGINT is passed on to every process, which finish what they are doing
(uvicorn its open requests, a task worker its running task); whatever is
still running after ``--stop-timeout`` seconds is killed.  If any process
stops on its own, the others are stopped and ``serve`` exits non-zero, so a
process supervisor (systemd ``Restart=always``) starts it all again.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portal.site import health

# /health/ checks that must pass before starting; "background" only names the backend.
STARTUP_CHECKS = ("database", "cache", "channel_layer", "search")


def static_sources_fingerprint() -> str:
    """A digest of every static source file's name, size and modification time, and of the storage in use."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{getattr(storage, 'prefix', None) or ''}/{path}:{stat.st_size}:{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def parse_bind(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"--bind must be HOST:PORT, e.g. 127.0.0.1:8000 (got {value!r})")
    return host.strip("[]"), int(port)


class Command(BaseCommand):
    help = "Production launch: collect static files, then run N uvicorn ASGI workers and M background-task workers."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="ASGI worker processes (default 2).")
        parser.add_argument("--task-workers", type=int, default=1,
                            help="Background-task worker processes (default 1; ignored when tasks run inline).")
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on (default 127.0.0.1:8000).")
        parser.add_argument("--no-collectstatic", action="store_true", help="Static files are already collected.")
        parser.add_argument("--migrate", action="store_true", help="Apply database migrations before starting.")
        parser.add_argument("--stop-timeout", type=int, default=30, metavar="SECONDS",
                            help="How long to wait for processes to finish after SIGTERM before killing them (default 30).")

    def handle(self, *args, workers, task_workers, bind, no_collectstatic, migrate, stop_timeout, **options):
        host, port = parse_bind(bind)
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        self.check_services()
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)
        if not no_collectstatic:
            self.collect_static_files()
        connections.close_all()

        commands = {"the web server (uvicorn)": self.web_command(host, port, workers)}
        if settings.TASKS_QUEUE:
            commands |= {f"task worker {number}": self.task_worker_command() for number in range(1, task_workers + 1)}
        elif task_workers:
            self.stdout.write("Background tasks run inline in the web workers (no queue without PORTAL_MODE=production "
                              "and REDIS_URL), so no task worker is started.")

        stop_requested = []
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, lambda number, frame: stop_requested.append(number))

        # Each child gets its own process group, so a terminal's Ctrl+C reaches only
        # this process, which passes one SIGTERM on to each child.
        processes = {name: subprocess.Popen(command, cwd=settings.BASE_DIR, process_group=0) for name, command in commands.items()}
        self.stdout.write(self.style.SUCCESS(
            f"PbC Network Portal on http://{host}:{port}/ with {workers} ASGI worker(s) and "
            f"{len(processes) - 1} task worker(s) (mode {settings.PORTAL_MODE}; SIGTERM or Ctrl+C stops)"
        ))
        stopped_alone = None
        while not stop_requested and stopped_alone is None:
            time.sleep(0.2)
            stopped_alone = next((name for name, process in processes.items() if process.poll() is not None), None)

        self.stop(list(processes.values()), stop_timeout)
        if stopped_alone is not None:
            raise CommandError(f"{stopped_alone} stopped on its own (exit code {processes[stopped_alone].returncode}); "
                               "every other process was stopped too.")
        self.stdout.write("Stopped.")

    def check_services(self) -> None:
        failures = []
        for name in STARTUP_CHECKS:
            result = health._timed(health.CHECKS[name])
            if not result["ok"]:
                failures.append(f"{name.replace('_', ' ')}: {result['error']}")
        if settings.TASKS_QUEUE:
            import django_rq

            try:
                django_rq.get_connection("default").ping()
            except Exception as error:  # any failure to reach Redis stops the launch
                failures.append(f"task queue (REDIS_URL): {type(error).__name__}: {error}")
        if failures:
            raise CommandError("Cannot start: these services do not answer (check their environment variables):\n  "
                               + "\n  ".join(failures))

    def collect_static_files(self) -> None:
        """Run collectstatic unless the collected files come from exactly the current sources.

        Hashing and compressing (gzip and Brotli) every file takes a minute or
        more; a restart with unchanged code skips it.
        """
        stamp = Path(settings.STATIC_ROOT) / ".sources-fingerprint"
        fingerprint = static_sources_fingerprint()
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if not settings.PRODUCTION or not manifest.exists() or not stamp.exists() or stamp.read_text() != fingerprint:
            self.stdout.write("Collecting static files (hashed and compressed in production)...")
            call_command("collectstatic", interactive=False, verbosity=0)
            stamp.write_text(fingerprint)

    @staticmethod
    def web_command(host: str, port: int, workers: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "portal.site.asgi:application",
            "--host", host, "--port", str(port), "--workers", str(workers),
            "--proxy-headers", "--lifespan", "off", "--no-access-log", "--log-level", "warning",
            # Websocket frames uncompressed: a reply to a thread open on N pages would be deflated N times
            # (the fan-out bench's profile: a fifth of a worker's time); they are small HTML fragments.
            "--ws-per-message-deflate", "false",
            "--timeout-graceful-shutdown", "20",
        ]

    @staticmethod
    def task_worker_command() -> list[str]:
        return [sys.executable, "-m", "django", "task_worker", "--settings", settings.SETTINGS_MODULE]

    @staticmethod
    def stop(processes: list[subprocess.Popen], timeout: int) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its whole group: uvicorn's workers, RQ's scheduler
                process.wait()
