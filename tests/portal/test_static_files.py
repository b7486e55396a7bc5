"""Static files under ASGI (uvicorn in production) are streamed asynchronously, whole, without Django's sync fallback."""
from __future__ import annotations

import warnings

from django.contrib.staticfiles import finders

from portal.core.handler import OneHopASGIHandler
from tests.portal.asgi_requests import asgi_get

STATIC_PATH = "wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css"


async def test_a_static_file_is_served_whole_under_asgi_without_the_synchronous_iterator_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status, headers, body = await asgi_get(OneHopASGIHandler(), f"/static/{STATIC_PATH}")

    assert status == 200
    assert body == open(finders.find(STATIC_PATH), "rb").read()
    assert headers[b"content-type"].startswith(b"text/css")
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]
