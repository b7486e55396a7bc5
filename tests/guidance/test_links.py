"""The links library check, against a local web server on 127.0.0.1 (never the internet)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.template import TemplateSyntaxError
from django.test import TestCase

from portal.core.models import SentEmail
from portal.core.tasks import send_emails
from portal.guidance import services as guidance_services
from portal.guidance.models import Link


def check_links(**options):
    """Check the links, running the after-commit work (the alert's e-mail task) as a real commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return guidance_services.check_links(**options)


class _Handler(BaseHTTPRequestHandler):
    routes = {"/ok": 200, "/gone": 404, "/broken": 500, "/no-head": 200}

    def _answer(self, with_body: bool):
        status = self.routes.get(self.path, 404)
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if with_body:
            self.wfile.write(b"ok")

    def do_HEAD(self):  # noqa: N802
        if self.path == "/no-head":
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _link(url, title="A link"):
    return Link.objects.create(title=title, url=url, category="dh")


def test_broken_link_is_flagged_and_administrators_told(local_site, network_admin):
    gone = _link(f"{local_site}/gone", "Practical implementation")
    ok = _link(f"{local_site}/ok", "NICE guidance")

    broken = check_links(timeout=5)

    gone.refresh_from_db()
    ok.refresh_from_db()
    assert broken == [gone]
    assert gone.is_broken and gone.last_status == 404
    assert not ok.is_broken and ok.last_status == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [network_admin.user.email]
    assert "Practical implementation" in mail.outbox[0].body
    assert "NICE guidance" not in mail.outbox[0].body


def test_server_error_and_unreachable_sites_count_as_broken(local_site, network_admin):
    _link(f"{local_site}/broken")
    unreachable = _link("http://127.0.0.1:9/nothing-listens-here", "Nobody home")

    broken = check_links(timeout=2)

    unreachable.refresh_from_db()
    assert len(broken) == 2
    assert unreachable.last_status is None and unreachable.last_error


def test_site_refusing_head_is_checked_with_get(local_site, network_admin):
    link = _link(f"{local_site}/no-head")

    assert check_links(timeout=5) == []
    link.refresh_from_db()
    assert link.last_status == 200


def test_link_that_stays_broken_is_reported_once(local_site, network_admin):
    _link(f"{local_site}/gone")

    check_links(timeout=5)
    check_links(timeout=5)

    assert len(mail.outbox) == 1


def test_mended_link_is_cleared(local_site, network_admin):
    link = _link(f"{local_site}/ok")
    Link.objects.filter(pk=link.pk).update(is_broken=True)

    check_links(timeout=5)

    link.refresh_from_db()
    assert not link.is_broken
    assert mail.outbox == []


def test_broken_links_are_marked_on_the_links_page(local_site, guidance_index, network_admin, client):
    _link(f"{local_site}/gone", "Practical implementation")
    check_links(timeout=5)

    content = client.get(guidance_index.url + "links/").content.decode()

    assert "May not work at the moment" in content


def test_check_links_command(local_site, network_admin, capsys):
    _link(f"{local_site}/gone")

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("check_links", "--timeout", "5")

    assert "1 newly broken link" in capsys.readouterr().out


def test_background_task_checks_links(local_site, network_admin):
    from portal.guidance.tasks import check_links_task

    _link(f"{local_site}/gone")

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = check_links_task.enqueue()

    assert result.return_value == 1
    assert len(mail.outbox) == 1


def test_broken_links_alert_sent_again_by_a_retried_task_goes_once(local_site, network_admin):
    from django_tasks.signals import task_enqueued

    queued = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "send_emails":
            queued.append(task_result.args)

    task_enqueued.connect(record)
    try:
        _link(f"{local_site}/gone")
        check_links(timeout=5)
    finally:
        task_enqueued.disconnect(record)

    (messages,) = queued[0]
    assert send_emails.call(messages) == 0  # the retry finds the alert's key and sends nothing
    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(key__startswith="guidance.links.broken:").count() == 1


def test_link_that_mends_and_breaks_again_is_reported_again(local_site, network_admin):
    link = _link(f"{local_site}/gone")
    check_links(timeout=5)
    Link.objects.filter(pk=link.pk).update(url=f"{local_site}/ok")
    check_links(timeout=5)  # mended
    Link.objects.filter(pk=link.pk).update(url=f"{local_site}/gone")

    check_links(timeout=5)

    assert len(mail.outbox) == 2


def test_broken_links_alert_survives_a_check_that_fails_before_queuing_it(local_site, network_admin, settings, tmp_path):
    """The check fails for real after recording the break (the alert's template will not render): the next check sends it."""
    (tmp_path / "portal" / "email").mkdir(parents=True)
    (tmp_path / "portal" / "email" / "broken_links.txt").write_text("{% if %}")
    link = _link(f"{local_site}/gone", "Practical implementation")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with pytest.raises(TemplateSyntaxError):
        check_links(timeout=5)
    link.refresh_from_db()
    assert link.is_broken and mail.outbox == []
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]

    assert check_links(timeout=5) == [link]

    assert len(mail.outbox) == 1
    assert "Practical implementation" in mail.outbox[0].body
