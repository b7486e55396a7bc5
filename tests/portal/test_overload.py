"""Shedding load: past saturation a 503 with Retry-After and the busy page, never a 500 and never half a write."""
from __future__ import annotations

import asyncio

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client

from portal.core.overload import LoadSheddingMiddleware
from tests.forum.conftest import board, boards, thread  # noqa: F401 - a thread to reply to

BUSY = "Sorry, the service is busy"


def test_request_past_the_in_flight_limit_gets_the_busy_page_with_retry_after(client, settings, db):
    settings.MAX_REQUESTS_IN_FLIGHT = 0

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert f"<h1>{BUSY}</h1>" in body and "nhsuk-frontend" in body and 'lang="en-GB"' in body


def test_health_check_is_never_shed(client, settings, db):
    settings.MAX_REQUESTS_IN_FLIGHT = 0

    assert BUSY not in client.get("/health/").content.decode()


def test_reply_sent_while_the_portal_sheds_load_is_not_saved_and_the_page_says_to_send_it_again(client_for, member, thread, settings):
    settings.MAX_REQUESTS_IN_FLIGHT = 0
    before = thread.replies.count()

    response = client_for(member).post(f"/forum/threads/{thread.pk}/reply/", {"body": "Sent while the portal was busy."})

    assert response.status_code == 503
    assert "If you were sending a form, it has not been saved." in response.content.decode()
    assert thread.replies.count() == before


def test_worker_serves_up_to_its_limit_and_sheds_the_request_past_it(settings):
    settings.MAX_REQUESTS_IN_FLIGHT = 1
    answers = []

    def view(request):
        answers.append(shedding(HttpRequest()).status_code)  # a second request while the first is held
        return HttpResponse("served")

    shedding = LoadSheddingMiddleware(view)

    assert shedding(HttpRequest()).status_code == 200
    assert answers == [503]
    assert shedding.in_flight == 0


def test_under_asgi_a_request_arriving_while_the_limit_is_held_is_shed_at_once(settings):
    settings.MAX_REQUESTS_IN_FLIGHT = 1

    async def scenario():
        release = asyncio.Event()

        async def view(request):
            await release.wait()
            return HttpResponse("served")

        shedding = LoadSheddingMiddleware(view)
        first = asyncio.create_task(shedding(HttpRequest()))
        await asyncio.sleep(0)
        second = await shedding(HttpRequest())
        release.set()
        return (await first).status_code, second.status_code, shedding.in_flight

    assert asyncio.run(scenario()) == (200, 503, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL connection pool")
def test_database_pool_running_dry_is_a_503_with_the_busy_page_not_a_500(settings, db):
    settings.ROOT_URLCONF = "tests.portal.overload_urls"
    client = Client(raise_request_exception=False)

    response = client.get("/test/pool-runs-dry/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert BUSY in response.content.decode()


def test_a_bug_still_gets_the_500_page(settings, db):
    settings.ROOT_URLCONF = "tests.portal.overload_urls"
    client = Client(raise_request_exception=False)

    response = client.get("/test/fails/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
