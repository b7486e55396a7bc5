"""One Redis connection pool per process and server, shared by every cache object.

Django keeps its cache objects per asyncio context (``CacheHandler`` is not
thread-critical), and under ASGI every request runs in a context of its own:
each request built a new ``RedisCache``, a new connection pool and so a new
TCP connection to Redis (connect, health check, client name), left for the
garbage collector to close.  Profiling ``manage.py serve`` showed it on every
signed-in page, where the in-process timing (one context for all requests)
never saw it.  Django passes ``OPTIONS["pool_class"]`` to its Redis client;
this class hands every caller asking for the same server and options the
same pool.  redis-py's pools are thread-safe and start afresh in a forked child.
"""
from __future__ import annotations

import threading

from redis import ConnectionPool


class SharedConnectionPool(ConnectionPool):
    _shared: dict[tuple, ConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs) -> ConnectionPool:
        key = (url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
            return pool
