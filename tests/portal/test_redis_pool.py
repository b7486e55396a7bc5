"""Every cache object in a process shares one Redis connection pool per server (portal/core/redis_pool.py).

Under ASGI Django builds a cache object per request; without a shared pool each
request opened a new connection to Redis.
"""
from __future__ import annotations

from django.core.cache.backends.redis import RedisCache

from portal.core.redis_pool import SharedConnectionPool

OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2, "pool_class": "portal.core.redis_pool.SharedConnectionPool"}


def cache_object(location: str = "redis://127.0.0.1:6379/5", **options) -> RedisCache:
    return RedisCache(location, {"OPTIONS": {**OPTIONS, **options}})


def test_two_cache_objects_for_the_same_server_share_one_connection_pool():
    first, second = cache_object(), cache_object()  # as two requests under ASGI get

    assert first._cache._get_connection_pool(write=True) is second._cache._get_connection_pool(write=True)


def test_another_server_gets_its_own_pool():
    assert cache_object()._cache._get_connection_pool(write=True) is not cache_object("redis://127.0.0.1:6379/6")._cache._get_connection_pool(write=True)


def test_different_options_get_their_own_pool():
    assert cache_object()._cache._get_connection_pool(write=True) is not cache_object(socket_timeout=5)._cache._get_connection_pool(write=True)


def test_the_shared_pool_is_a_redis_pool_for_the_asked_server():
    pool = cache_object()._cache._get_connection_pool(write=True)

    assert isinstance(pool, SharedConnectionPool)
    assert pool.connection_kwargs["db"] == 5


def test_the_portals_redis_cache_uses_the_shared_pool():
    """settings.py configures it whenever REDIS_URL is set (read in a fresh interpreter, as a server starts)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/5", "PORTAL_KEY_DIR": str(root / "var" / "test-keys")}
    shown = subprocess.run([sys.executable, "-c", "import portal.settings as s; print(s.CACHES['default']['OPTIONS']['pool_class'])"],
                           cwd=root, env=env, capture_output=True, text=True, timeout=60, check=True)

    assert shown.stdout.strip() == "portal.core.redis_pool.SharedConnectionPool"


def test_the_portals_cache_builds_one_redis_client_per_pool_not_one_per_call():
    """redis-py fills ~170 response callbacks in every client it builds: more CPU than a cache read itself."""
    from portal.core.cache import TolerantRedisCache

    first = TolerantRedisCache("redis://127.0.0.1:6379/5", {"OPTIONS": OPTIONS})
    second = TolerantRedisCache("redis://127.0.0.1:6379/5", {"OPTIONS": OPTIONS})  # as two requests under ASGI get

    assert first._cache.get_client(write=True) is first._cache.get_client(write=True)
    assert first._cache.get_client(write=True) is second._cache.get_client(write=True)


def test_the_shared_redis_client_reads_and_writes():
    from portal.core.cache import TolerantRedisCache

    cache = TolerantRedisCache("redis://127.0.0.1:6379/5", {"KEY_PREFIX": "test-shared-client", "OPTIONS": OPTIONS})
    cache.set("greeting", {"text": "hello"}, 30)

    assert cache.get("greeting") == {"text": "hello"}
    assert cache.get_many(["greeting", "missing"]) == {"greeting": {"text": "hello"}}
    cache.delete("greeting")
