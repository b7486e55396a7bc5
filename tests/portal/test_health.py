"""/health/ reports each component, and 503 when a configured one is down."""
import socket

import pytest
from django.test import override_settings


def closed_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_health_reports_every_component(client, db):
    response = client.get("/health/")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "cache", "channel_layer", "search", "background"}
    assert all(component["ok"] for component in body["components"].values())


def test_health_reports_a_stopped_redis_cache_as_down(client, db):
    stopped_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=stopped_redis):
        response = client.get("/health/")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["components"]["cache"]["ok"] is False
    assert "ConnectionError" in body["components"]["cache"]["error"]
    assert body["components"]["database"]["ok"] is True


def test_health_reports_a_stopped_channel_layer_as_down(client, db, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [f"redis://127.0.0.1:{closed_port()}/0"]}}
    }

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["components"]["channel_layer"]["ok"] is False


def test_health_reports_an_unreachable_search_server_as_down(client, db, settings):
    from search.backends import _load

    _load.cache_clear()
    settings.SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{closed_port()}"
    try:
        response = client.get("/health/")
    finally:
        _load.cache_clear()

    assert response.status_code == 503
    assert response.json()["components"]["search"]["ok"] is False


@pytest.mark.skipif("not __import__('os').environ.get('REDIS_URL')", reason="needs REDIS_URL (CI runs with Redis)")
def test_health_uses_redis_for_cache_and_channel_layer_when_configured(client, db):
    body = client.get("/health/").json()

    assert body["components"]["cache"]["backend"] == "TolerantRedisCache"
    assert body["components"]["channel_layer"]["backend"] == "RedisPubSubChannelLayer"
