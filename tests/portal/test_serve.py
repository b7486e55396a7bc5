"""``manage.py serve``: the production launch, started for real on a free port.

One launch in production mode (PostgreSQL, Redis, hashed and compressed
static files) with two ASGI workers and one task worker serves every test in
this module; the last test stops it with SIGTERM.  Collected static files are
kept between runs in the system's temporary folder, so only the first run
pays for compressing them.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
NEEDS_SERVICES = pytest.mark.skipif(
    connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
    reason="the production launch needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, headers: dict | None = None):
    """(status, headers) of a GET, without following redirects' errors."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def production_environment(database_name: str, static_root: Path) -> dict[str, str]:
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return {
        **os.environ,
        "DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path="/" + database_name)),
        "PORTAL_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def launched(django_db_setup, django_db_blocker):
    """Start ``serve --workers 2 --task-workers 1`` against the test database; stop it at the end."""
    static_root = Path(tempfile.gettempdir()) / f"pbc-serve-test-static-{os.getuid()}"
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--workers", "2", "--task-workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=production_environment(connection.settings_dict["NAME"], static_root), stdout=log, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # the first run hashes and compresses every static file
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.seek(0)
            pytest.fail(f"serve did not start:\n{log.read().decode()[-3000:]}")
        try:
            urllib.request.urlopen(f"{base}/health/", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield {"process": process, "base": base, "static_root": static_root}
    if process.poll() is None:
        process.kill()
        process.wait()


pytestmark = [NEEDS_SERVICES, pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_serve_reports_every_component_healthy_in_production_mode(launched):
    with urllib.request.urlopen(f"{launched['base']}/health/", timeout=10) as response:
        report = json.load(response)

    assert report["mode"] == "production"
    assert report["components"]["background"]["backend"] == "RQBackend"
    assert report["status"] == "ok"


def test_serve_answers_pages(launched):
    status, _ = fetch(f"{launched['base']}/accounts/login/")

    assert status == 200


def test_serve_sends_hashed_static_files_compressed_with_far_future_caching(launched):
    manifest = json.loads((launched["static_root"] / "staticfiles.json").read_text())
    hashed = manifest["paths"]["wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css"]

    status, headers = fetch(f"{launched['base']}/static/{hashed}", {"Accept-Encoding": "br, gzip"})

    assert status == 200
    assert hashed != "wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css"
    assert headers["Content-Encoding"] in {"br", "gzip"}
    assert "immutable" in headers["Cache-Control"]
    assert "max-age=315360000" in headers["Cache-Control"]


def test_serve_has_no_open_media_folder_in_production(launched):
    status, _ = fetch(f"{launched['base']}/media/photos/anyone.jpg")

    assert status == 404


def test_serve_stops_every_process_cleanly_on_sigterm(launched):
    process = launched["process"]

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=60) == 0


def test_serve_refuses_to_start_when_the_database_does_not_answer(tmp_path):
    env = production_environment("nothing", tmp_path)
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:9/portal"  # the discard port: nothing listens

    result = subprocess.run([sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{free_port()}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode != 0
    assert "Cannot start" in result.stderr
    assert "database" in result.stderr


def test_serve_sends_websocket_frames_uncompressed():
    # Compressing per socket costs a worker CPU for every page a broadcast reaches (bench/RESULTS.md, fan-out).
    from portal.management.commands.serve import Command

    command = Command.web_command("127.0.0.1", 8000, 2)

    assert command[command.index("--ws-per-message-deflate") + 1] == "false"
