"""Whole-page cache for anonymous visitors of the home page and guidance pages, in the shared cache (Redis).

These are the pages most visitors land on, and for anyone not signed in they
are the same for everybody, so rendering them once per change instead of once
per visit is what keeps them fast (the benchmark's target is p95 ≤ 50 ms at
100 requests a second).  Signed-in visitors, any request carrying flash
messages, and any response that is not a plain 200 or sets a cookie are never
cached.  Cached responses say ``Vary: Cookie``, so a proxy does not serve a
visitor's page to a member either.

Invalidation is by generation: every cached page is stored with the generation
number current when its rendering began, is only answered while that is still the
current one, and ``forget_cached_pages()`` moves it on, so everything cached before
becomes unreachable at once.  It runs (at once and again after commit) whenever
a page is saved, published, unpublished, moved or deleted, and whenever a page's
view restrictions change (not when a forum thread changes: anonymous visitors read no board, so the
home page's recent questions are never part of a cached page).  A short timeout bounds what no signal reports, such as an event
passing from "upcoming" to past.

Reading the cache: ``PageCacheMiddleware``, the last middleware, looks for the
page before URL resolution, Wagtail's routing (site lookup, page tree walk,
``before_serve_page`` hooks) and the view run, so a hit costs one Redis
read (one round trip) and no database query.  It finds only what ``serve_cached`` stored, and
``serve_cached`` runs only inside a page's ``serve``, after Wagtail's checks
(view restrictions, members-only guidance) have let an anonymous visitor in.
A page with a view restriction of its own or on any ancestor is never stored:
the middleware answers before those checks run, so a copy rendered for the one
visitor who knew a shared password would otherwise reach every visitor.
Nor is an address whose query string the page does not read in exactly that
form (``_is_canonical_query``): otherwise every made-up query string would
store another copy of the page, and anyone could fill Redis.
The outer middlewares still run on a hit, so security headers, the content
security policy and clickjacking protection are added as on any response.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from portal.core.fragments import count_lookup, end_tally, release, tally_cache

GENERATION_KEY = "page-cache:generation"
TIMEOUT = 300  # seconds: the most a time-dependent list (upcoming events) can lag


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def forget_cached_pages() -> None:
    """Make every cached page unreachable (they expire from Redis on their own)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never set, or evicted: start a new generation
        cache.set(GENERATION_KEY, 2, timeout=None)


def forget_cached_pages_on_commit(*args, **kwargs) -> None:
    """Forget now, and again after commit: a visit rendered in between still saw the old rows."""
    forget_cached_pages()
    transaction.on_commit(forget_cached_pages)


def _is_cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES
        and not (hasattr(request, "_messages") and len(request._messages))
    )


def _key(request: HttpRequest) -> str:
    # The generation is stored with the page, not in its key, so that one round trip to Redis
    # (the page and the current generation together) answers every anonymous GET, hit or miss.
    # Hashed: a long query string would otherwise make a key past memcached's 250 characters, and the
    # release (a digest of the templates) keeps a deploy's new templates from meeting old copies.
    address = hashlib.sha256(f"{request.get_host()}\n{request.get_full_path()}".encode()).hexdigest()[:32]
    return f"page-cache:{release()}:{address}"


def _lookup(key: str) -> tuple[HttpResponse | None, int]:
    """The stored page if it belongs to the current generation, and that generation."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        return None, _generation()
    stored = found.get(key)
    if stored is None or stored[0] != generation:
        return None, generation
    _stored_generation, content, status, headers = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response, generation


# Paths no Wagtail page lives under: never looked up, so they cost no Redis read and, above all, the health
# check answers from its own probes even when the cache is the thing that is down.
NEVER_CACHED_PREFIXES = ("/health/", "/static/", "/media/", "/admin/", "/accounts/", "/ws/")


class PageCacheMiddleware:
    """Answer an anonymous visitor's GET from the page cache before any routing or view runs.

    Must be last in ``MIDDLEWARE``: every middleware before it (sessions,
    authentication, messages, security headers, CSP) has seen the request, and
    on the way out adds its headers to the cached response as to any other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.CACHE_STATUS_HEADER:
            return self.answer(request)
        # The benchmark's count: X-Cache-Status says how many page and fragment lookups hit and missed.
        tally, token = tally_cache()
        try:
            response = self.answer(request)
        finally:
            end_tally(token)
        response["X-Cache-Status"] = f"hit={tally[0]} miss={tally[1]}"
        return response

    def answer(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(NEVER_CACHED_PREFIXES) and _is_cacheable_request(request):
            response, generation = _lookup(_key(request))
            if response is not None:
                count_lookup(True)
                return response
            request._page_cache_generation = generation  # serve_cached need not ask Redis again for this miss
        return self.get_response(request)


def _is_canonical_query(request: HttpRequest, page) -> bool:
    """Whether the query string holds only parameters the page reads, once each, in the form it uses them.

    A page says which parameters it reads, and their normal values for this request, with
    ``cache_query(request)``; a page without one reads none.  Anything else (an unknown parameter, a
    repeated one, a value the page would have corrected, another spelling of the same string) is still
    answered, only never stored, so the number of copies of a page is bounded by what it can show.
    """
    if not request.META.get("QUERY_STRING"):
        return True
    if request.META["QUERY_STRING"] != request.GET.urlencode():
        return False
    expected = page.cache_query(request) if hasattr(page, "cache_query") else {}
    return all(name in expected and values == [expected[name]] for name, values in request.GET.lists())


def serve_cached(
    request: HttpRequest, page, render: Callable[[], HttpResponse], timeout: Callable[[], int] | None = None
) -> HttpResponse:
    """``page``'s ``render()``ed response, from the cache when an anonymous visitor has had it since the last change.

    A page under a view restriction (a shared password, sign-in or groups, on it or an ancestor) is
    rendered for each visitor Wagtail lets in and never stored.

    ``timeout()``, when given, says how many seconds a copy rendered now may be kept (at most ``TIMEOUT``):
    a page whose content changes with time, like the upcoming events, expires when it next changes.
    """
    if not _is_cacheable_request(request) or not _is_canonical_query(request, page) or page.get_view_restrictions().exists():
        return render()
    key = _key(request)
    # The generation read before rendering: if a change moves it on meanwhile, this copy is already stale.
    generation = getattr(request, "_page_cache_generation", None)
    if generation is None:  # not through the middleware (a test calling serve directly, or a different stack)
        response, generation = _lookup(key)
        if response is not None:
            return response
    count_lookup(False)
    response = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    patch_vary_headers(response, ["Cookie"])
    if response.status_code == 200 and not response.streaming and not response.cookies:
        seconds = TIMEOUT if timeout is None else min(TIMEOUT, timeout())
        if seconds > 0:
            cache.set(key, (generation, response.content, response.status_code, list(response.items())), seconds)
    return response
