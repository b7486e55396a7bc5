"""Two ASGI server processes sharing PostgreSQL and Redis: a reply posted through one reaches sockets on both.

This is the production shape (several uvicorn workers behind a proxy), so
it needs the real services: it is skipped without REDIS_URL or on SQLite.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from forum.models import Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    """DATABASE_URL, pointed at the test database pytest-django created (so the servers see our rows)."""
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


test_database_url.__test__ = False  # not a test


@contextmanager
def uvicorn_servers(count: int):
    env = {**os.environ, "DATABASE_URL": test_database_url(), "PYTHONUNBUFFERED": "1"}
    servers = []
    try:
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "portal.site.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                 "--lifespan", "off", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            servers.append((port, process))
        for port, process in servers:
            wait_until_serving(port, process)
        yield [port for port, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_serving(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn on port {port} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # answering, even if a component is unhealthy
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"uvicorn on port {port} did not start within {timeout} seconds")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_reply_over_http(port: int, session_key: str, thread_id: int, body: str) -> int:
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "body": body}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/forum/threads/{thread_id}/reply/", data=data, method="POST",
        headers={"Cookie": f"sessionid={session_key}; csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the two servers share the Redis channel layer")
def test_reply_posted_through_one_server_reaches_sockets_on_both(client, member, other_org_member, thread):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the servers are separate processes and cannot see an in-memory SQLite database")
    from websockets.asyncio.client import connect

    from django.test import Client

    client.force_login(member.user)
    reader_session = client.cookies["sessionid"].value
    poster = Client()  # a second browser: logging the first client in again would end the reader's session
    poster.force_login(other_org_member.user)
    poster_session = poster.cookies["sessionid"].value

    async def scenario(ports: list[int]) -> list[dict]:
        sockets = []
        for port in ports:
            sockets.append(await connect(
                f"ws://127.0.0.1:{port}/ws/forum/threads/{thread.pk}/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={reader_session}"},
                open_timeout=10,
            ))
        status = await asyncio.to_thread(post_reply_over_http, ports[0], poster_session, thread.pk, "Posted through server one")
        assert status == 302
        received = []
        for ws in sockets:
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                if message["type"] == "forum.event":
                    received.append(message)
                    break
            await ws.close()
        return received

    with uvicorn_servers(2) as ports:
        received = asyncio.run(scenario(ports))

    reply = Reply.objects.get(thread=thread)
    assert [m["posts"][0]["id"] for m in received] == [f"post-{reply.pk}", f"post-{reply.pk}"]
    assert all("Posted through server one" in m["posts"][0]["html"] for m in received)
    assert received[0]["event"] == received[1]["event"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_real_server_refuses_a_socket_from_a_foreign_origin(client, member, thread):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    client.force_login(member.user)
    session = client.cookies["sessionid"].value

    async def attempt(port: int) -> None:
        async with connect(f"ws://127.0.0.1:{port}/ws/forum/threads/{thread.pk}/", origin="https://evil.example.com",
                           additional_headers={"Cookie": f"sessionid={session}"}, open_timeout=10):
            pass

    with uvicorn_servers(1) as (port,):
        with pytest.raises(InvalidStatus):
            asyncio.run(attempt(port))
