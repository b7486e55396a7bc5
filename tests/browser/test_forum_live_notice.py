"""The "live updates are not available" notice on a thread, driven by a real web server going away.

Each test opens a thread through a second uvicorn server on the same
database as the session's portal (sessions live in the database, so the
signed-in cookie works on both).  Stopping that server closes the page's
websocket from the server side, as a deploy or a crash does; starting it
again on the same port lets thread.js reconnect.
"""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, _free_port
from tests.browser.helpers import first_href, sign_in

NOTICE_TEXT = "Live updates are not available at the moment. Reload the page to see new replies."


class WebServer:
    """One uvicorn process serving portal.site.asgi on a fixed port, which a test can stop and start again."""

    def __init__(self, env: dict, log_path):
        self.env = env
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "portal.site.asgi:application", "--host", "127.0.0.1", "--port", str(self.port),
                   "--lifespan", "off", "--log-level", "warning", "--timeout-graceful-shutdown", "2"]
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=2):
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"The second web server did not start:\n{self.log_path.read_text()[-4000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        """SIGTERM, as a supervisor stops it for a deploy: uvicorn closes every open websocket."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def web_server(portal_server, tmp_path):
    server = WebServer(portal_server["env"], tmp_path / "second-server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_thread(page, web_server):
    """A member's page showing a demo thread, served by ``web_server``, once the server has answered its websocket."""
    frames = []

    def record_thread_socket(socket):
        if "/ws/forum/threads/" in socket.url:
            socket.on("framereceived", lambda payload: frames.append(payload))

    page.on("websocket", record_thread_socket)
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto(f"{web_server.url}/forum/")
    page.goto(web_server.url + first_href(page, "main a[href^='/forum/boards/']"))
    page.goto(web_server.url + first_href(page, "main a[href^='/forum/threads/'][href$='/']"))
    # The consumer answers every (re)connect with its catch-up, ending in {"type": "forum.caught_up"}.
    deadline = time.monotonic() + 30
    while not any("forum.caught_up" in str(frame) for frame in frames):
        assert time.monotonic() < deadline, "The thread page's websocket was not answered within 30 seconds"
        page.wait_for_timeout(100)  # lets Playwright deliver the socket's frames
    return page


def _notice(page):
    return page.get_by_role("status").filter(has_text="Live updates are not available")


def test_thread_shows_no_live_updates_notice_while_the_socket_is_connected(live_thread):
    expect(live_thread.locator("#forum-live-unavailable")).to_be_hidden()


def test_live_updates_notice_is_announced_when_the_server_closes_the_socket(live_thread, web_server):
    web_server.stop()

    notice = _notice(live_thread)
    expect(notice).to_be_visible(timeout=30_000)
    expect(notice).to_have_attribute("aria-live", "polite")
    expect(live_thread.locator("#forum-live-unavailable")).to_have_text("Information: " + NOTICE_TEXT)


def test_live_updates_notice_goes_away_when_the_socket_reconnects(live_thread, web_server):
    web_server.stop()
    expect(live_thread.locator("#forum-live-unavailable")).to_be_visible(timeout=30_000)

    web_server.start()

    # thread.js tries again after 1, 2, 4, 8, 16… seconds, so the next try may be a while after the server is back.
    expect(live_thread.locator("#forum-live-unavailable")).to_be_hidden(timeout=60_000)
