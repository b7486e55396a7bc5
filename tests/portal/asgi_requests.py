"""A GET through an ASGI application, as uvicorn sends it, for tests of the portal's ASGI handler."""
from __future__ import annotations

from asgiref.testing import ApplicationCommunicator


async def asgi_get(application, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """Status, headers (names lower-cased) and the whole body of ``GET path``."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    communicator = ApplicationCommunicator(application, scope)
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
