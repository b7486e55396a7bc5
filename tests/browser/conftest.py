"""Browser tests: the portal started the way the README starts it, driven by Debian's Chromium.

A session fixture starts ``manage.py start`` (migrate, demo content, uvicorn)
as a separate process on a free loopback port, against its own database:
a fresh PostgreSQL database when DATABASE_URL is set (as in CI), otherwise a
SQLite file in a temporary folder.  Playwright drives /usr/bin/chromium, never
a downloaded browser.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(browser_dir):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_postgres_database(url: str) -> str:
    """Create an empty database beside the configured one and return its URL."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.strip("/") + "_browser"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory):
    """Start the portal as the README does; yield its base URL and mail folder."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing at /usr/bin/chromium; .ci/run installs it with apt-get.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    workdir = tmp_path_factory.mktemp("portal")
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "PORTAL_DATA_DIR": str(workdir / "data"),
            "PORTAL_KEY_DIR": str(workdir / "keys"),
            "EMAIL_URL": f"file://{mail_dir}",
            "PORTAL_BASE_URL": "http://127.0.0.1:8000",
        }
    )
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = _fresh_postgres_database(env["DATABASE_URL"])
    if env.get("REDIS_URL"):
        env["CACHE_KEY_PREFIX"] = "browser"
        env["CHANNEL_PREFIX"] = "browser"
    port = _free_port()
    env["PORTAL_BASE_URL"] = f"http://127.0.0.1:{port}"
    log = open(workdir / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "start", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # migrations and the demo region take minutes on a busy machine
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail(f"The portal did not start:\n{(workdir / 'server.log').read_text()[-4000:]}")
        time.sleep(0.5)
    # env: the environment it runs with, for a test that starts a second web server on the same database.
    yield {"url": base_url, "mail_dir": mail_dir, "log": workdir / "server.log", "env": env}
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, portal_server):
    context = browser.new_context(base_url=portal_server["url"], viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every browser test also checks that the Content-Security-Policy blocked nothing the portal needs.
    page.csp_violations = []
    page.on("console", lambda message: page.csp_violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not page.csp_violations, "The Content-Security-Policy blocked:\n" + "\n".join(page.csp_violations)


def assert_no_axe_violations(page, name: str) -> None:
    """Run axe-core (WCAG 2.2 AA tags) on the current page; name each rule and element on failure."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    if violations:
        lines = [f"{name} ({page.url}) has {len(violations)} accessibility violation(s):"]
        for violation in violations:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            lines.append(f"  - {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
        pytest.fail("\n".join(lines))


def screenshot(page, name: str) -> Path:
    """Save desktop (1280 wide) and mobile (375 wide) screenshots of the current page under tests/artifacts/screenshots/."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    desktop = folder / f"{name}-desktop.png"
    page.screenshot(path=str(desktop), full_page=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=str(folder / f"{name}-mobile.png"), full_page=True)
    page.set_viewport_size(size)
    return desktop


def read_mails(mail_dir: Path) -> list[str]:
    return [p.read_text() for p in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime)]


__all__ = ["assert_no_axe_violations", "screenshot", "read_mails", "shutil"]
