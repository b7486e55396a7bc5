"""Rendered HTML fragments kept in the shared cache, invalidated by generation.

A fragment is a piece of a page that is the same for every viewer who may see
it (the directory's filter form, the re-design matrix's table) and costs far
more to render than to fetch.  Each family of fragments has a name; every key
holds that family's current generation, and ``forget(name)`` moves the
generation on, so everything cached before becomes unreachable at once.
Services and signal receivers call ``forget`` on every change that could alter
a fragment, at once and again after commit (a request rendering in between
still read the old rows, and stored them under the generation it read).

Only viewer-independent HTML may be cached here: a fragment that differs by
viewer must carry the viewer's class in ``parts`` or not be cached at all.
When Redis is down, ``portal.core.cache`` answers every read as a miss, so pages are
rendered as if nothing were cached.

Every key also holds ``release()``, a digest of the portal's own templates, so
after a deploy that changes how a fragment is drawn no worker serves HTML drawn
by the old templates (and old and new workers side by side never share copies).
"""
from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

TIMEOUT = 3600  # seconds; a changed fragment is never served (its generation moved on), this only bounds memory

FAMILIES: set[str] = set()

# Hits and misses of the page cache and the fragments during one request, counted only while
# ``tally_cache()`` has started a count (the page-cache middleware does when CACHE_STATUS_HEADER is on).
_tally: ContextVar[list[int] | None] = ContextVar("cache_tally", default=None)


def count_lookup(hit: bool) -> None:
    tally = _tally.get()
    if tally is not None:
        tally[0 if hit else 1] += 1


def tally_cache():
    """Start counting this request's cache lookups; returns (the count [hits, misses], a token for ``end_tally``)."""
    tally = [0, 0]
    return tally, _tally.set(tally)


def end_tally(token) -> None:
    _tally.reset(token)

_CODE_ROOT = Path(__file__).resolve().parent.parent
_APPS = ("portal", "directory", "redesign", "events", "forum", "search")


@functools.cache
def release() -> str:
    """A digest of every template the portal ships, computed once per process: part of every cached key."""
    digest = hashlib.sha256()
    for app in _APPS:
        for path in sorted((_CODE_ROOT / app).rglob("templates/**/*.html")):
            digest.update(str(path.relative_to(_CODE_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def family(name: str) -> str:
    """Declare a family of fragments (so ``forget_all`` knows it); returns its name."""
    FAMILIES.add(name)
    return name


def _generation_key(name: str) -> str:
    return f"fragments:{name}:generation"


def _fresh_generation() -> int:
    # From the clock, so a generation key that was evicted does not restart at a number old fragments still hold.
    return time.time_ns() // 1000


def generation(name: str) -> int:
    key = _generation_key(name)
    value = cache.get(key)
    if value is None:
        cache.add(key, _fresh_generation(), timeout=None)
        value = cache.get(key, 0)
    return value


def _forget_now(name: str) -> None:
    try:
        cache.incr(_generation_key(name))
    except ValueError:  # never set, or evicted: start a generation no stored key holds
        cache.set(_generation_key(name), _fresh_generation(), timeout=None)


def forget(name: str) -> None:
    """Make every cached fragment of ``name`` unreachable, now and again after the transaction commits."""
    _forget_now(name)
    transaction.on_commit(lambda: _forget_now(name))


def forget_all() -> None:
    """Forget every declared family (the benchmark uses this to time rendering rather than cache hits)."""
    for name in sorted(FAMILIES):
        forget(name)


def cached_html(name: str, parts: Iterable[object], render: Callable[[], str], timeout: int = TIMEOUT) -> SafeString:
    """``render()``'s HTML, from the cache when it was rendered for the same ``parts`` since the last change."""
    digest = hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()[:32]
    key = f"fragments:{release()}:{name}:{generation(name)}:{digest}"
    html = cache.get(key)
    count_lookup(html is not None)
    if html is None:
        html = str(render())
        cache.set(key, html, timeout)
    return mark_safe(html)  # noqa: S308 - only ever rendered templates' output is stored


def cached_value(names: str | tuple[str, ...], parts: tuple, compute: Callable[[], tuple[object, int | None]]):
    """``compute()``'s value, from the cache when it was computed for the same ``parts`` since the last change
    to any of the families ``names``, in one round trip to Redis (the value and the generations together).

    ``compute()`` returns the value (HTML, or anything picklable such as a dict of rendered rows) and how
    many seconds it may be kept (``None``: ``TIMEOUT``; 0 or less: not kept), so a value that shows
    something time-dependent, like which events are still upcoming, expires exactly when that changes.
    Several families serve a value that more than one kind of change alters (one thread's replies, and
    every member's name).  The generations are stored with the value rather than in its key.
    """
    names = (names,) if isinstance(names, str) else tuple(names)
    digest = hashlib.sha256(repr((names, parts)).encode()).hexdigest()[:32]
    key = f"fragments:{release()}:{names[0]}:value:{digest}"
    found = cache.get_many([*(_generation_key(name) for name in names), key])
    generations = tuple(found.get(_generation_key(name)) for name in names)
    if None in generations:
        generations = tuple(generation(name) for name in names)
    stored = found.get(key)
    if stored is not None and stored[0] == generations and stored[1] == parts:
        count_lookup(True)
        return stored[2]
    count_lookup(False)
    value, timeout = compute()
    timeout = TIMEOUT if timeout is None else min(timeout, TIMEOUT)
    if timeout > 0:
        cache.set(key, (generations, parts, value), timeout)
    return value
