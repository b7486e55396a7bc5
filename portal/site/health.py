"""``GET /health/``: is each component this deployment uses working?

Returns JSON with one entry per component.  A component that is configured
and not answering makes the whole response 503, so a load balancer takes the
worker out of rotation; the embedded components are reported too.
"""
from __future__ import annotations

import asyncio
import time
import uuid

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from search.backends import get_backend


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as error:  # a health check reports every failure, whatever its kind
        detail = {"error": f"{type(error).__name__}: {error}"[:300]}
        ok = False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), **(detail or {})}


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"backend": connection.vendor}


def check_cache() -> dict:
    strict = getattr(cache, "strict", cache)  # the tolerant Redis cache would hide the failure
    key = f"health:{uuid.uuid4().hex}"
    strict.set(key, "ok", 10)
    if strict.get(key) != "ok":
        raise RuntimeError("value written to the cache could not be read back")
    strict.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_channel_layer() -> dict:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "health.ping"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=2)
        if message.get("type") != "health.ping":
            raise RuntimeError("channel layer returned the wrong message")

    async_to_sync(round_trip)()
    return {"backend": type(layer).__name__}


def check_search() -> dict:
    backend = get_backend()
    backend.check_health()
    return {"backend": backend.name}


def check_background() -> dict:
    from django_tasks import task_backends

    return {"backend": type(task_backends["default"]).__name__}


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "search": check_search,
    "background": check_background,
}


@never_cache
def health(request):
    components = {name: _timed(check) for name, check in CHECKS.items()}
    healthy = all(component["ok"] for component in components.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "mode": settings.PORTAL_MODE, "components": components},
        status=200 if healthy else 503,
    )
