"""A Redis cache that keeps the portal serving pages when Redis is down.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when
the server is unreachable, which turns every page that touches the cache
into a 500.  Here each call that fails is logged and answered as a cache
miss instead, and for a few seconds after a failure Redis is not asked at
all, so pages stay fast while it is away.

What degrades while Redis is down, by design: cached values are recomputed,
allauth's sign-in rate limits and the forum's posting rate limit are not
enforced (they fail open rather than locking everyone out), scheduled jobs
are skipped (``cache.add`` reports their claim as taken, so none runs twice),
and live updates stop (the channel layer shares the server).  ``/health/``
uses ``strict`` and reports the cache as down.

Django's Redis cache also builds a new ``redis.Redis`` client for every call
(``RedisCacheClient.get_client``); redis-py 8 fills a table of ~170 response
callbacks in each one, which cost more CPU than the command itself (~0.3 ms a
call, 20-odd calls on a signed-in page).  ``SharedClientRedisCacheClient``
keeps one client per connection pool instead: a client holds no connection of
its own between commands (it takes one from the pool for each), so threads may
share it, and its pool starts afresh in a forked child.
"""
from __future__ import annotations

import logging
import time
from functools import cached_property

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client with one ``redis.Redis`` per connection pool, built once, not per call."""

    _clients: dict[int, tuple[object, object]] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        shared = self._clients.get(id(pool))
        if shared is None or shared[0] is not pool:  # the pool is kept in the entry, so its id is never reused
            shared = self._clients[id(pool)] = (pool, self._client(connection_pool=pool))
        return shared[1]


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        self._server_and_params = (server, params)
        self._down_until = 0.0

    @cached_property
    def strict(self) -> RedisCache:
        """The same cache without the tolerance, for the health check."""
        return RedisCache(*self._server_and_params)

    def _call(self, method: str, fallback, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as error:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable (%s: %s); serving without it for %ss", type(error).__name__, error, RETRY_AFTER_SECONDS)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call("incr", missing, key, delta, version)
        if result is missing:
            raise ValueError(f"Key {key!r} not found (the cache is unavailable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", None)
