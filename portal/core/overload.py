"""Shedding load: past what a worker can serve, a quick 503 with Retry-After and the "busy" page, never a 500.

Two ways a worker runs out:

* Too many requests at once.  Under uvicorn every request waits its turn for
  the worker's one thread of synchronous Django; a queue longer than a few
  seconds only makes every answer late (clients give up at 10 s, and the
  worker goes on serving requests nobody waits for).  ``LoadSheddingMiddleware``,
  the first middleware, counts the requests a worker holds; one that arrives
  when ``MAX_REQUESTS_IN_FLIGHT`` are already held gets the busy page at once,
  in the event loop, before any session, database or view work.  Nothing it
  sent was acted on, so a form sent then is not half-saved: the page says to
  send it again.  The health check and static files are never shed.
* The database's connection pool running dry (``psycopg_pool.PoolTimeout``,
  "couldn't get a connection after 10 s"), or the database refusing
  connections.  That happens when a request first asks for a connection, before
  it has written anything; ``server_error`` (the portal's ``handler500``)
  answers such errors with the busy page and 503 instead of the 500 page.

The busy page is static HTML (``503.html``, NHS.UK styles, no context
processors, no database), read once per process.
"""
from __future__ import annotations

import sys
import threading
from functools import cache

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

NEVER_SHED_PREFIXES = ("/health/", "/static/")


@cache
def _busy_html() -> str:
    return loader.get_template("503.html").render()


def busy_response() -> HttpResponse:
    response = HttpResponse(_busy_html(), status=503)
    response["Retry-After"] = str(settings.BUSY_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class LoadSheddingMiddleware:
    """The busy page for a request that finds ``MAX_REQUESTS_IN_FLIGHT`` already held by this worker."""

    async_capable = True
    sync_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.in_flight = 0
        self._lock = threading.Lock()  # the sync path only: under ASGI the count is kept in the event loop
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _shed(self, request) -> bool:
        return self.in_flight >= settings.MAX_REQUESTS_IN_FLIGHT and not request.path_info.startswith(NEVER_SHED_PREFIXES)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        with self._lock:
            if self._shed(request):
                return busy_response()
            self.in_flight += 1
        try:
            return self.get_response(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    async def __acall__(self, request):
        if self._shed(request):
            return busy_response()
        self.in_flight += 1
        try:
            return await self.get_response(request)
        finally:
            self.in_flight -= 1


def database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says the database could not be reached or lent no connection."""
    try:
        from psycopg_pool import PoolTimeout, TooManyRequests
    except ImportError:  # no pool installed: only the database's own refusal counts
        PoolTimeout = TooManyRequests = ()  # noqa: N806
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, (PoolTimeout, TooManyRequests)):
            return True
        if isinstance(error, OperationalError) and "connection" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def server_error(request, template_name: str = "500.html"):
    """The portal's handler500: the busy page (503) when the database is out of reach, else the 500 page."""
    if database_unavailable(sys.exc_info()[1]):
        return busy_response()
    return HttpResponseServerError(loader.get_template(template_name).render())
