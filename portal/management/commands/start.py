"""Prepare the database and start the portal in one ASGI process (the embedded mode)."""
from __future__ import annotations

import shutil
import socket
import sys

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def ensure_address_is_free(host: str, port: int) -> None:
    """Refuse at once, naming ``--port``, when the address cannot be served: before anything is migrated or built."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise CommandError(f"Cannot serve on host {host!r} ({error.strerror}): choose another with --host.") from None
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by a server just stopped is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CommandError(
                f"Cannot serve on {host}:{port}: {error.strerror.lower()}. Another program (perhaps the portal "
                f"already running) is using that port: stop it with Ctrl+C, or choose another port, "
                f"for example: manage.py start --port {port + 1}"
            ) from None


def embedded_database_file():
    """The SQLite file of the embedded mode, or None when the portal uses a database server."""
    database = settings.DATABASES["default"]
    return database["NAME"] if database["ENGINE"].endswith("sqlite3") else None


class Command(BaseCommand):
    help = (
        "Start the portal in one process (HTTP and websockets): migrate the database, build the demonstration "
        "region (safe to repeat), then serve until Ctrl+C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1",
                            help="address to listen on (default 127.0.0.1; 0.0.0.0 for every network interface)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--no-demo", action="store_true", help="do not build the demonstration content")
        parser.add_argument(
            "--reset", action="store_true",
            help="delete the embedded data folder (SQLite database and uploaded files) and build the demo again; "
                 "asks first",
        )
        parser.add_argument("--yes", action="store_true", help="with --reset: do not ask (for scripts)")

    def handle(self, *args, host: str, port: int, no_demo: bool, reset: bool, yes: bool, **options):
        ensure_address_is_free(host, port)
        if reset:
            self.reset_data(confirmed=yes)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("demo", stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS(f"PbC Network Portal on http://{host}:{port}/  (Ctrl+C to stop)"))
        uvicorn.run("portal.site.asgi:application", host=host, port=port, log_level="warning", lifespan="off")

    def reset_data(self, *, confirmed: bool) -> None:
        if embedded_database_file() is None:
            raise CommandError(
                "--reset deletes only the embedded mode's data folder. With DATABASE_URL set, drop and create the "
                "database yourself (dropdb, createdb), then run manage.py start."
            )
        folder = settings.DATA_DIR
        if not confirmed:
            if not sys.stdin.isatty():
                raise CommandError(f"--reset would delete {folder}: run it in a terminal to answer, or add --yes.")
            answer = input(f"Delete {folder} (the demo database and uploaded files) and start again? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing was deleted.")
        shutil.rmtree(folder, ignore_errors=True)
        self.stdout.write(f"Deleted {folder}.")
