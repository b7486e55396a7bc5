"""The portal's ASGI handler runs a request's synchronous middleware and view in one thread, entered once."""
from __future__ import annotations

import pytest
from asgiref import sync

from portal.core.handler import OneHopASGIHandler
from tests.portal.asgi_requests import asgi_get

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hops(monkeypatch):
    """What each request hands to a thread (``sync_to_async``) and how often it returns to the event loop mid-way."""
    seen = {"threads": [], "event_loop": 0}
    to_thread, to_event_loop = sync.SyncToAsync.__call__, sync.AsyncToSync.__call__

    async def counted_to_thread(self, *args, **kwargs):
        seen["threads"].append(getattr(self.func, "__qualname__", repr(self.func)))
        return await to_thread(self, *args, **kwargs)

    def counted_to_event_loop(self, *args, **kwargs):
        seen["event_loop"] += 1
        return to_event_loop(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counted_to_thread)
    monkeypatch.setattr(sync.AsyncToSync, "__call__", counted_to_event_loop)
    return seen


async def test_a_page_runs_its_middleware_and_view_in_one_thread_entered_once(hops):
    status, _, _ = await asgi_get(OneHopASGIHandler(), "/accounts/login/")

    assert status == 200
    # Django's request signals, SecurityMiddleware's two methods (it runs in the event loop, above static files), and
    # the one hop into the synchronous chain: before this handler, 8 hops and a return to the event loop.
    assert hops["event_loop"] == 0
    assert len(hops["threads"]) == 5 and hops["threads"].count("convert_exception_to_response.<locals>.inner") == 1


async def test_a_page_through_the_portals_handler_keeps_every_security_header():
    _, headers, _ = await asgi_get(OneHopASGIHandler(), "/accounts/login/")

    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"referrer-policy"] == b"strict-origin-when-cross-origin"
    assert headers[b"x-frame-options"] == b"DENY"
    assert b"default-src" in headers[b"content-security-policy"]


async def test_a_request_past_the_limit_is_shed_in_the_event_loop_without_a_thread(settings, hops):
    settings.MAX_REQUESTS_IN_FLIGHT = 0  # every request finds the worker full

    status, headers, _ = await asgi_get(OneHopASGIHandler(), "/accounts/login/")

    assert (status, headers[b"retry-after"]) == (503, str(settings.BUSY_RETRY_AFTER).encode())
    assert "convert_exception_to_response.<locals>.inner" not in hops["threads"]
