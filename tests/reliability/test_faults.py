"""Faults: Redis stopped, the database restarted.  Pages keep serving; /health/ says what is wrong.

Search server faults are tested through the search view in tests/search/test_views.py
(unreachable and paused Elasticsearch fall back to the embedded search; both down
gives a plain 503 page, never a 500).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from forum.models import Reply
from tests.reliability.conftest import PG_BIN

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_backed(settings, private_redis):
    """The cache and channel layer on a private Redis the test can stop."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.TolerantRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [private_redis.url]}}
    }
    return private_redis


@pytest.fixture
def forum_thread(member):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    board = Board.objects.create(subsection=Subsection.objects.create(name="Management", position=1), name="Contracts")
    return post_thread(member, board, title="Is the procurement guide out yet?", body="Has anyone seen a draft?")


def test_pages_still_serve_after_redis_stops(redis_backed, client_for, member, forum_thread):
    client = client_for(member)
    assert client.get(forum_thread.get_absolute_url()).status_code == 200

    redis_backed.stop()

    assert client.get("/").status_code == 200
    assert client.get(forum_thread.get_absolute_url()).status_code == 200
    assert client.get(reverse("directory:list")).status_code == 200


def test_a_reply_posted_while_redis_is_down_is_stored(redis_backed, client_for, member, forum_thread, django_capture_on_commit_callbacks):
    redis_backed.stop()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(reverse("forum:reply", args=[forum_thread.pk]), {"body": "Not yet: May, the SHA says."})

    assert response.status_code == 302
    assert Reply.objects.filter(thread=forum_thread, body="Not yet: May, the SHA says.").exists()


def test_health_says_the_cache_and_channel_layer_are_down_after_redis_stops(redis_backed, client):
    assert client.get("/health/").status_code == 200

    redis_backed.stop()
    response = client.get("/health/")

    body = response.json()
    assert response.status_code == 503
    assert body["components"]["cache"]["ok"] is False
    assert body["components"]["channel_layer"]["ok"] is False
    assert body["components"]["database"]["ok"] is True


def test_pages_serve_again_when_redis_comes_back(redis_backed, client, settings, monkeypatch):
    import portal.core.cache

    monkeypatch.setattr(portal.core.cache, "RETRY_AFTER_SECONDS", 0)
    redis_backed.stop()
    assert client.get("/health/").status_code == 503

    redis_backed.start()

    assert client.get("/health/").status_code == 200


def test_thread_page_carries_the_live_updates_unavailable_notice(client_for, member, forum_thread):
    body = client_for(member).get(forum_thread.get_absolute_url()).content.decode()

    assert 'id="forum-live-unavailable"' in body
    assert "Live updates are not available at the moment" in body


# Requests go through Django's real WSGI handler: its request_started signal runs
# close_old_connections, which the test client switches off.
# The scripts' shared start: Django set up, and ``get(path)`` answering /health/'s database part.
HEALTH_SCRIPT_PREFIX = """
import io, json, subprocess, sys
from wsgiref.util import setup_testing_defaults
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

app = WSGIHandler()

def get(path):
    environ = {"PATH_INFO": path, "HTTP_HOST": "localhost", "wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    body = b"".join(app(environ, lambda s, h, *a: None))
    return json.loads(body)["components"]["database"]
"""

RESTART_SCRIPT = HEALTH_SCRIPT_PREFIX + """
first = get("/health/")
before = connection.connection.info.backend_pid
subprocess.run(sys.argv[1:], check=True)  # restart the server under our open connection
second = get("/health/")
after = connection.connection.info.backend_pid
print(json.dumps({"first": first["ok"], "second": second["ok"], "error": second.get("error"), "new_backend": before != after}))
"""

POOLED_RESTART_SCRIPT = HEALTH_SCRIPT_PREFIX + """
first = get("/health/")
pool = connection.pool
subprocess.run(sys.argv[1:], check=True)  # restart the server under the pool's idle connections
second = get("/health/")
print(json.dumps({"pooled": pool.get_stats()["pool_size"] >= 1, "first": first["ok"], "second": second["ok"], "error": second.get("error")}))
"""


def _run_across_a_restart(script: str, private_postgres, tmp_path, **env_vars) -> dict:
    """Run ``script`` in a fresh process on the private server, restarting the server midway; its last line, read."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL"}}
    env.update(DATABASE_URL=private_postgres.url, PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="portal.settings",
               PORTAL_DATA_DIR=str(tmp_path / "data"), **env_vars)
    restart = [str(PG_BIN / "pg_ctl"), "-D", str(private_postgres.data), "-w", "-t", "60", "-m", "fast",
               "-l", str(private_postgres.folder / "log"),
               "-o", f"-p {private_postgres.port} -k {private_postgres.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "restart"]
    if os.geteuid() == 0:
        restart = ["runuser", "-u", "postgres", "--", *restart]

    result = subprocess.run([sys.executable, "-c", script, *restart], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_next_request_after_a_database_restart_recovers(private_postgres, tmp_path):
    """A persistent connection (CONN_MAX_AGE) broken by a restart is noticed and replaced (CONN_HEALTH_CHECKS)."""
    outcome = _run_across_a_restart(RESTART_SCRIPT, private_postgres, tmp_path)

    assert outcome == {"first": True, "second": True, "error": None, "new_backend": True}


def test_the_first_request_after_a_database_restart_gets_a_working_pooled_connection(private_postgres, tmp_path):
    """Production's connection pool tests a connection before lending it, so the pool's dead ones are replaced."""
    outcome = _run_across_a_restart(
        POOLED_RESTART_SCRIPT, private_postgres, tmp_path,
        PORTAL_MODE="production", SECRET_KEY="reliability-test-" + "k" * 50, ALLOWED_HOSTS="localhost",
        STATIC_ROOT=str(tmp_path / "static"),
    )

    assert outcome == {"pooled": True, "first": True, "second": True, "error": None}
