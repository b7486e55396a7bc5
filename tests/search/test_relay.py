"""The header relay between the Elasticsearch 8 client and OpenSearch: headers rewritten, no added delay."""
from __future__ import annotations

import http.client
import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.search.relay import Relay


class Upstream(BaseHTTPRequestHandler):
    """Answers every request with the content type it was sent, as JSON (headers and body written apart)."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = ('{"content_type": "%s"}' % self.headers.get("Content-Type")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def relay():
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    upstream.daemon_threads = True
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        with Relay(f"http://127.0.0.1:{upstream.server_address[1]}") as relay:
            yield relay
    finally:
        upstream.shutdown()
        upstream.server_close()


def post(connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
    connection.request("POST", "/index/_search", body=b'{"query": {"match_all": {}}}',
                       headers={"Content-Type": "application/vnd.elasticsearch+json; compatible-with=8"})
    return connection.getresponse()


def test_relay_rewrites_the_compatible_content_type_and_names_the_product(relay):
    connection = http.client.HTTPConnection("127.0.0.1", int(relay.url.rsplit(":", 1)[1]))
    response = post(connection)

    assert response.read() == b'{"content_type": "application/json"}'
    assert response.getheader("X-Elastic-Product") == "Elasticsearch"


def test_relay_adds_no_delay_to_kept_alive_requests(relay):
    # Without TCP_NODELAY each answer's body waited for the client's delayed ACK of its headers: about 40 ms.
    connection = http.client.HTTPConnection("127.0.0.1", int(relay.url.rsplit(":", 1)[1]))
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        post(connection).read()
        timings.append((time.perf_counter() - started) * 1000)

    assert statistics.median(timings) < 20
