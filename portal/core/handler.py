"""Django's ASGI handler, with the synchronous part of every request run in one thread, entered once.

Django's own ``ASGIHandler`` builds its middleware chain for an asynchronous
server: the innermost handler is the asynchronous ``_get_response_async``.  The
portal's views and most of its middleware are synchronous, so every request went
back and forth between uvicorn's event loop and a thread several times: into a
thread for the synchronous middleware, back to the event loop for
``_get_response_async`` (``PageCacheMiddleware``, the innermost, is synchronous,
so Django wrapped the rest in ``async_to_sync``), into a thread again for CSRF's
``process_view`` and again for the view.  Each crossing copies the context and
waits for the other side to be scheduled; py-spy put them at 15 % of the web
workers' CPU under the mixed workload (bench/HISTORY.md, "The chrome of a
signed-in page").

``OneHopASGIHandler`` builds the chain as Django's synchronous handler does,
from the synchronous ``_get_response`` outwards: every middleware that can run
synchronously below the first asynchronous-only one (``ServeStaticMiddleware``)
runs synchronously with the view, entered through one ``sync_to_async``; the
middleware above it (load shedding, security headers, static files) stays in
the event loop, so the busy page and static files are still answered there
without a thread.  Django adapts the top of such a chain for a synchronous
caller with ``async_to_sync``; the handler takes the coroutine function back out
of that wrapper, so uvicorn awaits it directly.
"""
from __future__ import annotations

from asgiref.sync import AsyncToSync, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    """``ASGIHandler`` whose synchronous middleware and view run in one thread, entered once a request."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)  # from _get_response outwards, as the synchronous handler builds it
        chain = self._middleware_chain
        if isinstance(chain, AsyncToSync):  # an asynchronous middleware at the top, adapted for a synchronous caller
            self._middleware_chain = chain.awaitable
        else:  # every middleware synchronous: the whole chain is the one hop
            self._middleware_chain = sync_to_async(chain, thread_sensitive=True)


def get_asgi_application() -> OneHopASGIHandler:
    """Like ``django.core.asgi.get_asgi_application``, with the portal's handler."""
    import django

    django.setup(set_prefix=False)
    return OneHopASGIHandler()
