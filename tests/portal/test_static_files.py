"""Static files under ASGI (uvicorn in production) are streamed asynchronously, whole, without Django's sync fallback."""
from __future__ import annotations

import warnings

from asgiref.testing import ApplicationCommunicator
from django.contrib.staticfiles import finders
from django.core.handlers.asgi import ASGIHandler

STATIC_PATH = "wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css"


async def asgi_get(path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    communicator = ApplicationCommunicator(ASGIHandler(), scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=10)
    body = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=10)
    return start["status"], {name.lower(): value for name, value in start["headers"]}, body


async def test_a_static_file_is_served_whole_under_asgi_without_the_synchronous_iterator_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status, headers, body = await asgi_get(f"/static/{STATIC_PATH}")

    assert status == 200
    assert body == open(finders.find(STATIC_PATH), "rb").read()
    assert headers[b"content-type"].startswith(b"text/css")
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]
